"""Rule changes: draft, simulate, approve on a date with a second administrator, put in force, withdraw."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.audit.verbs import Verb
from licensing.cases.models import Decision, Transaction
from licensing.outbox.services import enqueue
from licensing.parties.models import Customer
from licensing.reference.models import ControlledItem, CountryGroup, LicenceRequirement, RequirementRelaxation

from .models import RuleChange, Simulation
from .simulator import affected_item_ids
from .task_names import PLAN_SIMULATION
from .workflow import RULE_CHANGE_MACHINE


def _require_admin(actor: Any, doing: str) -> None:
    if not user_can(actor, Action.MANAGE_REFERENCE_DATA):
        raise PermissionDenied(f"{actor} may not {doing}: only administrators change the rules.")


def draft_change(
    *,
    actor: Any,
    kind: str,
    reason: str,
    requirement: LicenceRequirement | None = None,
    country_group_id: str | None = None,
    customers: Iterable[Customer] = (),
    item_id: int | None = None,
    title: str = "",
    legal_basis: str = "",
    scope: str = "",
    activities: Iterable[str] = (),
) -> RuleChange:
    """Draft a rule change; nothing the decision reads is written until it is approved."""
    _require_admin(actor, "draft a rule change")
    if kind not in RuleChange.Kind.values:
        raise ValidationError({"kind": f"Unknown kind of change: {kind}."})
    customers = list(customers)
    if kind == RuleChange.Kind.RELAX_CUSTOMERS and not customers:
        raise ValidationError({"customers": "Name at least one trusted partner."})
    change = RuleChange(
        kind=kind,
        reason=reason.strip(),
        requirement=requirement,
        country_group_id=country_group_id or None,
        item_id=item_id,
        title=title.strip(),
        legal_basis=legal_basis.strip(),
        scope=scope,
        activities=list(activities),
        drafted_by=actor,
    )
    change.full_clean()
    with transaction.atomic():
        change.save()
        change.customers.set(customers)
        record_event(
            actor=actor,
            verb=Verb.RULE_CHANGE_DRAFTED,
            target=change,
            after={
                "kind": change.kind,
                "requirement": change.requirement_id,
                "country_group": change.country_group_id,
                "customers": [customer.external_id for customer in customers],
                "item": change.item_id,
                "title": change.title,
            },
            reason=change.reason,
        )
    return change


def request_simulation(*, actor: Any, change: RuleChange, on: datetime.date | None = None) -> Simulation:
    """Start the simulator on a draft change, deciding the book as of `on` (today) with and without it."""
    _require_admin(actor, "simulate a rule change")
    if not change.editable:
        raise ValidationError({"change": f"Change {change.number} is {change.get_status_display().lower()}."})
    with transaction.atomic():
        simulation = Simulation.objects.create(change=change, decided_on=on or timezone.localdate(), requested_by=actor)
        record_event(
            actor=actor,
            verb=Verb.RULE_CHANGE_SIMULATION_REQUESTED,
            target=change,
            after={"simulation": simulation.pk, "decided_on": simulation.decided_on.isoformat()},
        )
        enqueue(PLAN_SIMULATION, simulation.pk)
    return simulation


def record_simulation(*, simulation: Simulation) -> RuleChange:
    """Mark the change simulated once its latest run has finished (the simulator calls this)."""
    change = simulation.change
    return RULE_CHANGE_MACHINE.apply(
        change,
        "mark_simulated",
        actor=None,
        extra_event_data={"simulation": simulation.pk, "totals": simulation.results.get("totals", {})},
    )


def approve_change(
    *, actor: Any, change: RuleChange, effective_on: datetime.date, today: datetime.date | None = None
) -> RuleChange:
    """Approve a simulated change from `effective_on`, as an administrator other than its drafter.

    The law data it stands for is written now, dated from `effective_on`: the
    decision reads it from that day, and not before.
    """
    today = today or timezone.localdate()
    if not isinstance(effective_on, datetime.date):
        raise ValidationError({"effective_on": "Give the day the change takes effect."})
    if effective_on < today:
        raise ValidationError({"effective_on": f"A change takes effect today ({today}) or later, not before."})
    law: dict[str, int] = {}

    def changes(locked: RuleChange) -> list[str]:
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.effective_on = effective_on
        if locked.is_relaxation:
            locked.relaxation = _write_relaxation(locked, effective_on)
            law["relaxation"] = locked.relaxation.pk
        else:
            locked.added_requirement = _write_requirement(locked, effective_on)
            law["requirement"] = locked.added_requirement.pk
        return ["approved_by", "approved_at", "effective_on", "relaxation", "added_requirement"]

    with transaction.atomic():
        approved = RULE_CHANGE_MACHINE.apply(
            change,
            "approve",
            actor=actor,
            changes=changes,
            extra_event_data={"effective_on": effective_on.isoformat(), **law},
        )
        if effective_on <= today:
            approved = put_in_force(change=approved, today=today)
    return approved


def _write_relaxation(change: RuleChange, effective_on: datetime.date) -> RequirementRelaxation:
    kind = change.relaxation_kind()
    assert change.requirement_id is not None, "a relaxation names its requirement (RuleChange.clean)"
    relaxation = RequirementRelaxation(
        requirement_id=change.requirement_id,
        kind=kind,
        country_group_id=change.country_group_id if kind == RequirementRelaxation.Kind.COUNTRY_GROUP else None,
        item_id=change.item_id if kind == RequirementRelaxation.Kind.ITEM else None,
        effective_from=effective_on,
        change_number=change.pk,
    )
    relaxation.full_clean()
    relaxation.save()
    if kind == RequirementRelaxation.Kind.CUSTOMERS:
        relaxation.customers.set(change.customers.all())
    return relaxation


def _write_requirement(change: RuleChange, effective_on: datetime.date) -> LicenceRequirement:
    assert change.item_id is not None, "a new requirement names its item (RuleChange.clean)"
    requirement = LicenceRequirement(
        title=change.title,
        letter_reference=f"Rule change {change.number}",
        issued_on=effective_on,
        legal_basis=change.legal_basis,
        activities=list(change.activities),
        scope=change.scope,
        effective_from=effective_on,
        text=change.reason,
    )
    requirement.full_clean()
    requirement.save()
    requirement.items.set(ControlledItem.objects.filter(pk=change.item_id))
    requirement.country_groups.set(CountryGroup.objects.filter(pk=change.country_group_id))
    return requirement


def put_in_force(*, change: RuleChange, today: datetime.date | None = None) -> RuleChange:
    """Record that an approved change's day has come; its reaction decides the affected transactions again."""
    today = today or timezone.localdate()
    if change.effective_on is None or change.effective_on > today:
        raise ValidationError({"effective_on": f"Change {change.number} takes effect on {change.effective_on}."})
    return RULE_CHANGE_MACHINE.apply(
        change, "put_in_force", actor=None, extra_event_data={"effective_on": change.effective_on.isoformat()}
    )


def put_due_changes_in_force(*, today: datetime.date | None = None) -> int:
    """Put in force every approved change whose day has come; return how many."""
    today = today or timezone.localdate()
    count = 0
    for change in RuleChange.objects.due_on(today).order_by("effective_on", "pk"):
        put_in_force(change=change, today=today)
        count += 1
    return count


def withdraw_change(*, actor: Any, change: RuleChange, reason: str, today: datetime.date | None = None) -> RuleChange:
    """Withdraw a change not yet in force; an approved one's law data, which never took effect, goes with it."""
    today = today or timezone.localdate()
    if change.status == RuleChange.Status.APPROVED and change.effective_on and change.effective_on <= today:
        raise ValidationError({"change": f"Change {change.number} is in force since {change.effective_on}."})
    law: dict[str, Any] = {}

    def changes(locked: RuleChange) -> list[str]:
        if locked.relaxation is not None:
            law["relaxation"] = locked.relaxation.pk
            relaxation, locked.relaxation = locked.relaxation, None
            relaxation.delete()
        if locked.added_requirement is not None:
            law["requirement"] = locked.added_requirement.pk
            requirement, locked.added_requirement = locked.added_requirement, None
            requirement.delete()
        return ["relaxation", "added_requirement"]

    return RULE_CHANGE_MACHINE.apply(
        change, "withdraw", actor=actor, reason=reason, changes=changes, extra_event_data={"removed": law}
    )


def affected_pending_customers(change: RuleChange) -> list[int]:
    """The customers with held or licence-awaiting transactions of an item the change touches."""
    return list(
        Transaction.objects.filter(
            decision__in=(Decision.HOLD, Decision.LICENCE_REQUIRED), item_id__in=affected_item_ids(change)
        )
        .values_list("customer_id", flat=True)
        .distinct()
        .order_by("customer_id")
    )
