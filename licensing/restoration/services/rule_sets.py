"""Drafting and activating versions of the triage rules (the admin calls these)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from ..models import TriageRuleSet


def _require(actor) -> None:
    # The rules decide whom the company proposes to restore: policy, set by an administrator.
    if actor is not None and not user_can(actor, Action.MANAGE_REFERENCE_DATA):
        raise PermissionDenied(f"{actor} may not change the triage rules")


def save_rule_set(*, actor, rules: list, note: str = "", rule_set: TriageRuleSet | None = None) -> TriageRuleSet:
    """Draft a new version of the rules, or change a draft; an active or retired version is never edited."""
    _require(actor)
    with transaction.atomic():
        if rule_set is None:
            # Locked so two drafts started at once do not take the same number.
            latest = TriageRuleSet.objects.select_for_update(no_key=True).aggregate(v=Max("version"))["v"] or 0
            rule_set = TriageRuleSet(version=latest + 1, created_by=actor)
        else:
            rule_set = TriageRuleSet.objects.select_for_update(no_key=True).get(pk=rule_set.pk)
            if rule_set.status != TriageRuleSet.Status.DRAFT:
                status = rule_set.get_status_display().lower()
                raise ValidationError({"rules": f"Version {rule_set.version} is {status}; draft a new one."})
        rule_set.rules = rules
        rule_set.note = note
        rule_set.full_clean()
        rule_set.save()
        record_event(
            actor=actor,
            verb="triage.rule_set_saved",
            target=rule_set,
            after={"version": rule_set.version, "rules": rules, "note": note},
        )
    return rule_set


def activate_rule_set(*, actor, rule_set: TriageRuleSet) -> TriageRuleSet:
    """Make a draft the rules triage uses, retiring the active one."""
    _require(actor)
    with transaction.atomic():
        # Both rows locked: two activations at once must not leave two active versions.
        rows = {
            r.pk: r for r in TriageRuleSet.objects.select_for_update(no_key=True).filter(status__in=["active", "draft"])
        }
        locked = rows.get(rule_set.pk)
        if locked is None or locked.status != TriageRuleSet.Status.DRAFT:
            raise ValidationError({"status": "Only a draft can be activated."})
        locked.full_clean()
        now = timezone.now()
        retired = [r for r in rows.values() if r.status == TriageRuleSet.Status.ACTIVE]
        for old in retired:
            old.status = TriageRuleSet.Status.RETIRED
            old.save(update_fields=["status"])
        locked.status = TriageRuleSet.Status.ACTIVE
        locked.activated_at = now
        locked.save(update_fields=["status", "activated_at"])
        record_event(
            actor=actor,
            verb="triage.rule_set_activated",
            target=locked,
            before={"version": retired[0].version if retired else None},
            after={"version": locked.version},
        )
    return locked
