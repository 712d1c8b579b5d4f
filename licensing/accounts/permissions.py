"""Which role may take which action: one table, read by services, views and the admin.

`user_can` asks the table; `require` refuses, in the words of `refusal`. The
web pages (`licensing.web.access.requires`) and the API
(`licensing.api.permissions.RoleAllows`) both check through them.
"""

from django.core.exceptions import PermissionDenied
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
    RECORD_CONSIGNEE_STATEMENT = "record_consignee_statement", "Record a signed BIS-711 consignee statement"
    RESPOND_TO_BIS = "respond_to_bis", "Record the answer to BIS's request for information or intent to deny"
    MANAGE_LICENCE = "manage_licence", "Issue, suspend or revoke a licence record"
    MANAGE_REFERENCE_DATA = "manage_reference_data", "Edit items, requirements, country groups"
    SEARCH_SCREENING_LISTS = "search_screening_lists", "Screen a name against the restricted-party lists"
    ADJUDICATE_SCREENING_HITS = "adjudicate_screening_hits", "Adjudicate screening hits (true match, false positive)"
    IMPORT_SCREENING_LISTS = "import_screening_lists", "Import restricted-party lists"
    COMMENT = "comment", "Comment on a case"
    ASSIGN_CASES = "assign_cases", "Assign cases to officers"
    SETTLE_DEADLINE = "settle_deadline", "Record that a deadline was met or no longer applies"
    GENERATE_FILINGS = "generate_filings", "Generate filing PDFs (BIS-748P, BIS-711, letters, summaries)"
    EXPORT_PACKAGES = "export_packages", "Build legal export packages"
    DOWNLOAD_PACKAGES = "download_packages", "Download legal export packages"
    MANAGE_RETENTION = "manage_retention", "Set or release a legal hold; record a known reexport or transfer"
    DESTROY_RECORDS = "destroy_records", "Destroy filings whose retention period has ended"
    QUERY_API = "query_api", "Read customers, transactions, applications and licences through the API"
    CHECK_ACCESS = "check_access", "Ask whether access may be granted (the access check)"
    SYNC_PARTIES = "sync_parties", "Create and update customers and persons through the API"
    SUBMIT_TRANSACTIONS = "submit_transactions", "Post transactions for a decision through the API"
    RECORD_LICENCE_USAGE = "record_licence_usage", "Record quantity and value used against a licence"
    MANAGE_WEBHOOKS = "manage_webhooks", "Manage webhook subscriptions and read their delivery log"
    MANAGE_API_TOKENS = "manage_api_tokens", "Issue and revoke API tokens"
    MANAGE_MODEL_API_KEYS = "manage_model_api_keys", "Register and revoke customers' model API keys (gateway)"


class ClientRole(models.TextChoices):
    """Roles of machine clients (API tokens), apart from people's roles so a token never holds one."""

    BILLING = "billing", "Billing integration"
    READ_ONLY = "read_only", "Read-only integration"
    INTEGRATION_ADMIN = "integration_admin", "Integration administrator"
    # Screens names and nothing else: a sign-up flow that checks a new customer before provisioning it.
    SCREENING = "screening", "Screening integration"


# People's roles and clients' roles share the table: a token's role is looked up like a person's.
_COMPLIANCE: set[Role | ClientRole] = {Role.OFFICER, Role.REVIEWER, Role.ADMIN}
_EVERYONE: set[Role | ClientRole] = set(Role)
# The integrations that read the API; a screening token only screens names.
_CLIENTS = {ClientRole.BILLING, ClientRole.READ_ONLY, ClientRole.INTEGRATION_ADMIN}
_WRITING_CLIENTS = {ClientRole.BILLING, ClientRole.INTEGRATION_ADMIN}

PERMISSIONS: dict[Action, frozenset[Role | ClientRole]] = {
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
    Action.RECORD_CONSIGNEE_STATEMENT: frozenset(_COMPLIANCE),
    Action.RESPOND_TO_BIS: frozenset(_COMPLIANCE),
    Action.MANAGE_LICENCE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.MANAGE_REFERENCE_DATA: frozenset({Role.ADMIN}),
    Action.SETTLE_DEADLINE: frozenset(_COMPLIANCE),
    Action.GENERATE_FILINGS: frozenset(_COMPLIANCE | {Role.LEGAL}),
    # Packages hold every record of many cases: legal staff and auditors only.
    Action.EXPORT_PACKAGES: frozenset({Role.LEGAL, Role.AUDITOR}),
    Action.DOWNLOAD_PACKAGES: frozenset({Role.LEGAL, Role.AUDITOR}),
    Action.MANAGE_RETENTION: frozenset({Role.LEGAL, Role.ADMIN}),
    Action.DESTROY_RECORDS: frozenset({Role.ADMIN}),
    # A comment changes no record; legal staff advise on cases through them.
    Action.COMMENT: frozenset(_COMPLIANCE | {Role.LEGAL}),
    Action.ASSIGN_CASES: frozenset({Role.REVIEWER, Role.ADMIN}),
    Action.QUERY_API: frozenset(_EVERYONE | _CLIENTS),
    Action.CHECK_ACCESS: frozenset(_EVERYONE | _CLIENTS),
    # People still pass the parties and transaction services' own checks too.
    Action.SYNC_PARTIES: frozenset(_COMPLIANCE | _WRITING_CLIENTS),
    Action.SUBMIT_TRANSACTIONS: frozenset(_COMPLIANCE | _WRITING_CLIENTS),
    Action.RECORD_LICENCE_USAGE: frozenset(_COMPLIANCE | _WRITING_CLIENTS),
    Action.MANAGE_WEBHOOKS: frozenset({Role.ADMIN, ClientRole.INTEGRATION_ADMIN}),
    Action.MANAGE_API_TOKENS: frozenset({Role.ADMIN}),
    # A key only names the customer the gateway asks the decision about; billing keeps them in step with its accounts.
    Action.MANAGE_MODEL_API_KEYS: frozenset(_COMPLIANCE | _WRITING_CLIENTS),
    # Billing screens a new customer at sign-up; a machine never adjudicates what it found.
    Action.SEARCH_SCREENING_LISTS: frozenset(_EVERYONE | {ClientRole.BILLING, ClientRole.SCREENING}),
    Action.ADJUDICATE_SCREENING_HITS: frozenset(_COMPLIANCE),
    # The lists are reference data.
    Action.IMPORT_SCREENING_LISTS: frozenset({Role.ADMIN}),
}


def user_can(user, action: Action) -> bool:
    """Return whether the user's (or API client's) role may take `action`; no one inactive may."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return user.effective_role in PERMISSIONS[action]


def refusal(action: Action) -> str:
    """Say that the caller's role may not take `action`, in the words every page and endpoint uses."""
    label = str(action.label)
    return f"Your role may not {label[0].lower()}{label[1:]}."


def require(user, action: Action) -> None:
    """Raise PermissionDenied, saying why, unless the user's role may take `action`."""
    if not user_can(user, action):
        raise PermissionDenied(refusal(action))
