import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.determinations.services import open_determination_task
from licensing.screening.models import ListVersion

from ..basis import with_time
from ..decision import Request, evaluate
from ..models import Decision, Transaction
from .applications import create_draft_application


class TransactionConflict(Exception):
    """The external id is already used by a transaction with different details."""


# The fields that make a transaction what it is: a replay must match them all.
IDENTITY_FIELDS = (
    "customer_id",
    "person_id",
    "item_id",
    "activity",
    "destination_country_id",
    "quantity",
    "value",
    "currency",
    "end_use",
)


def record_transaction(*, actor: User | None, external_id: str, **details: Any) -> tuple[Transaction, bool]:
    """Record billing's transaction once and decide it; a replay returns the first record.

    Returns (transaction, created). The same external id with different
    details raises TransactionConflict and changes nothing.
    """
    details.setdefault("requested_at", timezone.now())
    candidate = Transaction(external_id=external_id, **details)
    candidate.full_clean(validate_unique=False)
    existing = Transaction.objects.filter(external_id=external_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                candidate.save()
                record_event(
                    actor=actor,
                    verb="transaction.recorded",
                    target=candidate,
                    after={f: getattr(candidate, f) for f in IDENTITY_FIELDS},
                )
                decided = decide_transaction(actor=actor, transaction_record=candidate)
            return decided, True
        except IntegrityError:
            # Another request recorded the same external id first; treat this
            # one as its replay.
            existing = Transaction.objects.get(external_id=external_id)
    _check_replay(existing, candidate)
    return existing, False


def _check_replay(existing: Transaction, candidate: Transaction) -> None:
    different = [
        name.removesuffix("_id")
        for name in IDENTITY_FIELDS
        if _normalised(getattr(existing, name)) != _normalised(getattr(candidate, name))
    ]
    if different:
        raise TransactionConflict(
            f"Transaction {existing.external_id} already exists with a different {', '.join(different)}."
        )


def _normalised(value: object) -> object:
    return Decimal(value).normalize() if isinstance(value, (Decimal, int, float)) else value


def decide_transaction(
    *, actor: User | None, transaction_record: Transaction, on: datetime.date | None = None
) -> Transaction:
    """Decide a transaction and record the decision, opening the work it calls for."""
    if actor is not None and not user_can(actor, Action.DECIDE_TRANSACTION):
        raise PermissionDenied(f"{actor} may not decide transactions")
    with transaction.atomic():
        # Locked so two deciders (billing's replay and a re-decision after an
        # approval) cannot interleave and leave a stale decision behind.
        record = (
            Transaction.objects.select_for_update(of=("self",))
            .select_related("customer", "person", "item")
            .get(pk=transaction_record.pk)
        )
        on = on or timezone.localdate()
        result = evaluate(Request.for_transaction(record), on=on)
        before = {"decision": record.decision, "reasons": record.decision_reasons}
        record.decision = result.decision
        record.decision_reasons = result.reasons
        record.decided_at = timezone.now()
        record.decision_basis = with_time(
            result.basis,
            at=record.decided_at,
            list_versions=sorted(ListVersion.objects.in_force().values_list("pk", flat=True)),
        )
        record.licence = result.licence
        record.attributed_country_id = result.attributed_country
        record.save(
            update_fields=[
                "decision",
                "decision_reasons",
                "decision_basis",
                "decided_at",
                "licence",
                "attributed_country",
                "updated_at",
            ]
        )
        if result.needs_determination:
            open_determination_task(
                subject=record.person or record.customer,
                reason=result.reasons[0],
                transaction_record=record,
            )
        if result.decision == Decision.LICENCE_REQUIRED:
            create_draft_application(transaction_record=record, evaluation=result)
        # Recorded last: its reactions (billing's webhook) describe the draft application opened above.
        record_event(
            actor=actor,
            verb="transaction.decided",
            target=record,
            before=before,
            after={
                "decision": record.decision,
                "reasons": record.decision_reasons,
                "licence": result.licence.number if result.licence else None,
                # So that any earlier decision, not only the last, can be replayed.
                "basis": record.decision_basis,
            },
        )
    return record


def redecide_pending_for(
    *, customers: Iterable[int] = (), persons: Iterable[int] = (), parties: Iterable[int] = ()
) -> int:
    """Decide again the held or licence-awaiting transactions involving these customers, persons or parties."""
    involved = Q(customer_id__in=customers) | Q(person_id__in=persons) | Q(applications__parties__id__in=parties)
    pending = Transaction.objects.filter(decision__in=PENDING).filter(involved).distinct().order_by("pk")
    count = 0
    for record in pending:
        decide_transaction(actor=None, transaction_record=record)
        count += 1
    return count


def redecide_held_for_recipients(*, customers: Iterable[int] = (), persons: Iterable[int] = ()) -> int:
    """Decide again, in one transaction, the waiting transactions of many recipients; return how many.

    What `redecide_held` does for each customer (its own transactions, not its
    people's) and each person, for a chunk of recipients at once: one query
    finds them, and one commit keeps them (a commit each was most of the cost).
    """
    pending = (
        Transaction.objects.filter(decision__in=PENDING)
        .filter(Q(customer_id__in=list(customers), person__isnull=True) | Q(person_id__in=list(persons)))
        .order_by("pk")
    )
    count = 0
    with transaction.atomic():
        for record in pending:
            decide_transaction(actor=None, transaction_record=record)
            count += 1
    return count


# The decisions that wait on something: a new fact may change them.
PENDING = (Decision.HOLD, Decision.LICENCE_REQUIRED)


def redecide_held(
    *, customer_id: int | None = None, person_id: int | None = None, include_persons: bool = False
) -> int:
    """Decide again every held or licence-awaiting transaction of one recipient; return how many.

    With `include_persons`, the customer's transactions for its people count too
    (a change of the customer's standing affects them all).
    """
    pending = Transaction.objects.filter(decision__in=[Decision.HOLD, Decision.LICENCE_REQUIRED])
    if person_id is not None:
        pending = pending.filter(person_id=person_id)
    elif customer_id is None:
        # No recipient named: every transaction has a customer, so none waits on this.
        return 0
    elif include_persons:
        pending = pending.filter(customer_id=customer_id)
    else:
        pending = pending.filter(customer_id=customer_id, person__isnull=True)
    count = 0
    for record in pending:
        decide_transaction(actor=None, transaction_record=record)
        count += 1
    return count
