"""Which role may take which action: one table, read by services, views and the admin."""

from django.db import models

from .models import Role


class Action(models.TextChoices):
    VIEW_CASES = "view_cases", "View customers, persons, cases and licences"
    VIEW_EVIDENCE = "view_evidence", "View personal evidence (passports, resumes, dates of birth)"
    VIEW_AUDIT_LOG = "view_audit_log", "View the event log"
    EDIT_PARTIES = "edit_parties", "Create and edit customers and persons"
    PREPARE_DETERMINATION = "prepare_determination", "Prepare a foreign-person determination"
    APPROVE_DETERMINATION = "approve_determination", "Approve or reject a determination"
    DECIDE_TRANSACTION = "decide_transaction", "Record a transaction and decide it"
    PREPARE_APPLICATION = "prepare_application", "Prepare a licence application"
    REVIEW_APPLICATION = "review_application", "Approve an application for filing"
    RECORD_BIS_ACTION = "record_bis_action", "Record a filing or an action by BIS"
    MANAGE_LICENCE = "manage_licence", "Issue, suspend or revoke a licence record"
    MANAGE_REFERENCE_DATA = "manage_reference_data", "Edit items, requirements, country groups"


_COMPLIANCE = {Role.OFFICER, Role.REVIEWER, Role.ADMIN}
_EVERYONE = set(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_CASES: frozenset(_EVERYONE),
    Action.VIEW_EVIDENCE: frozenset(_COMPLIANCE),
    Action.VIEW_AUDIT_LOG: frozenset(_EVERYONE),
    Action.EDIT_PARTIES: frozenset(_COMPLIANCE),
    Action.PREPARE_DETERMINATION: frozenset(_COMPLIANCE),
    Action.APPROVE_DETERMINATION: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.DECIDE_TRANSACTION: frozenset(_COMPLIANCE),
    Action.PREPARE_APPLICATION: frozenset(_COMPLIANCE),
    Action.REVIEW_APPLICATION: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.RECORD_BIS_ACTION: frozenset(_COMPLIANCE),
    Action.MANAGE_LICENCE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.MANAGE_REFERENCE_DATA: frozenset({Role.ADMIN}),
}


def user_can(user, action: Action) -> bool:
    if user is None or not getattr(user, "is_active", False):
        return False
    return user.effective_role in PERMISSIONS[action]
