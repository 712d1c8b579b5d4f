"""Suspend and resume the ownership rule (the Affiliates rule) from a day, as a new dated period."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.audit.verbs import Verb

from ..models import OwnershipRulePeriod, Transaction
from .transactions import PENDING, decide_again


def suspend_ownership_rule(
    *, actor: User, effective_from: datetime.date, reason: str, effective_until: datetime.date | None = None
) -> OwnershipRulePeriod:
    """Suspend the ownership rule from a day (to a day, if given)."""
    return _record_period(
        actor=actor,
        status=OwnershipRulePeriod.Status.SUSPENDED,
        verb=Verb.OWNERSHIP_RULE_SUSPENDED,
        effective_from=effective_from,
        effective_until=effective_until,
        reason=reason,
    )


def resume_ownership_rule(
    *, actor: User, effective_from: datetime.date, reason: str, effective_until: datetime.date | None = None
) -> OwnershipRulePeriod:
    """Put the ownership rule in force from a day (to a day, if given): first, or again after a suspension."""
    return _record_period(
        actor=actor,
        status=OwnershipRulePeriod.Status.IN_FORCE,
        verb=Verb.OWNERSHIP_RULE_RESUMED,
        effective_from=effective_from,
        effective_until=effective_until,
        reason=reason,
    )


def _record_period(
    *,
    actor: User,
    status: str,
    verb: Verb,
    effective_from: datetime.date,
    effective_until: datetime.date | None,
    reason: str,
) -> OwnershipRulePeriod:
    if not user_can(actor, Action.MANAGE_REFERENCE_DATA):
        raise PermissionDenied(f"{actor} may not suspend or resume the ownership rule")
    # A period begun in the past would change what decisions already made were made under.
    if effective_from < timezone.localdate():
        raise ValidationError({"effective_from": "Choose today or a later day: decisions already made stand."})
    period = OwnershipRulePeriod(
        status=status,
        effective_from=effective_from,
        effective_until=effective_until,
        reason=reason.strip(),
        recorded_by=actor,
    )
    period.full_clean()
    with transaction.atomic():
        period.save()
        record_event(
            actor=actor,
            verb=verb,
            target=period,
            after={
                "status": status,
                "effective_from": effective_from,
                "effective_until": effective_until,
                "legal_basis": period.legal_basis,
            },
            reason=period.reason,
        )
    return period


def applies_on(day: datetime.date) -> bool:
    """Whether the ownership rule is in force on a day."""
    period = OwnershipRulePeriod.objects.governing_on(day).first()
    return period is not None and period.status == OwnershipRulePeriod.Status.IN_FORCE


def redecide_if_the_rule_changed_today() -> int:
    """On a day the rule starts or stops applying, decide again what waits on customers with owners."""
    today = timezone.localdate()
    if applies_on(today) == applies_on(today - datetime.timedelta(days=1)):
        return 0
    return redecide_owned_customers()


def redecide_owned_customers() -> int:
    """Decide again the waiting transactions of every customer with an owner that is a customer; return how many."""
    return decide_again(
        Transaction.objects.filter(decision__in=PENDING, customer__owners__owner__isnull=False).distinct()
    )
