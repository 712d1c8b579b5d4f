import datetime
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, JSONField, Q, QuerySet
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import EventRecord, record_event, record_events
from licensing.determinations.services import open_determination_task
from licensing.outbox.services import enqueued_together
from licensing.screening.models import ListVersion

from ..basis import with_time
from ..decision import Evaluation, Request, evaluate, evaluate_many
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
    _check_may_decide(actor)
    with transaction.atomic():
        # Locked so two deciders (billing's replay and a re-decision after an
        # approval) cannot interleave and leave a stale decision behind.
        record = (
            Transaction.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer", "person", "item")
            .get(pk=transaction_record.pk)
        )
        result = evaluate(Request.for_transaction(record), on=on or timezone.localdate())
        before = _set_decision(record, result, at=timezone.now(), list_versions=_list_versions_in_force())
        record.save(update_fields=DECISION_FIELDS)
        _open_work(record, result)
        # Recorded last: its reactions (billing's webhook) describe the draft application opened above.
        record_event(actor=actor, **_decided_event(record, result, before))
    return record


def decide_transactions(
    *, actor: User | None, transaction_ids: Iterable[int], on: datetime.date | None = None
) -> list[Transaction]:
    """Decide many transactions, each as `decide_transaction` would, in a few statements; return them.

    They are locked in one statement (in id order, as one decision after
    another would lock them), their facts read in one query and the same rules
    applied to each (`evaluate_many`), their decisions written in one update and
    their events in one insert; each still gets its own event, and its reactions
    (billing's webhook) run for each as they would alone.
    """
    _check_may_decide(actor)
    with transaction.atomic():
        records = list(
            Transaction.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer", "person", "item")
            .filter(pk__in=list(transaction_ids))
            .order_by("pk")
        )
        if not records:
            return []
        results = evaluate_many([Request.for_transaction(record) for record in records], on=on or timezone.localdate())
        at, list_versions = timezone.now(), _list_versions_in_force()
        befores = [
            _set_decision(record, result, at=at, list_versions=list_versions)
            for record, result in zip(records, results, strict=True)
        ]
        _save_decisions(records)
        for record, result in zip(records, results, strict=True):
            _open_work(record, result)
        # Recorded last, as alone: their reactions (billing's webhook) describe the draft applications opened
        # above. The webhooks' outbox messages are still one per delivery, written in one insert.
        with enqueued_together():
            record_events(
                [
                    EventRecord(actor=actor, **_decided_event(record, result, before))
                    for record, result, before in zip(records, results, befores, strict=True)
                ]
            )
    return records


# What a decision writes on the transaction.
DECISION_FIELDS = [
    "decision",
    "decision_reasons",
    "decision_basis",
    "decided_at",
    "licence",
    "attributed_country",
    "updated_at",
]


def _save_decisions(records: list[Transaction]) -> None:
    """Save the decisions set on these transactions in one UPDATE, as `save(update_fields=DECISION_FIELDS)` would."""
    if connection.vendor != "postgresql":
        Transaction.objects.bulk_update(records, DECISION_FIELDS)
        return
    # bulk_update's CASE per row and field costs more in Python than deciding them: the new values go
    # as one JSON document, a row per transaction, a single parameter quoted once.
    fields = [field for field in Transaction._meta.concrete_fields if field.name in DECISION_FIELDS]
    rows = [{"id": record.pk, **{field.attname: _stored(field, record) for field in fields}} for record in records]
    quote = connection.ops.quote_name
    table = quote(Transaction._meta.db_table)
    assignments = ", ".join(f"{quote(str(field.column))} = v.{quote(field.attname)}" for field in fields)
    # A JSON field's value is kept as the JSON it is; a concrete field always has a column type.
    types = ", ".join(
        f"{quote(field.attname)} {'jsonb' if isinstance(field, JSONField) else field.db_type(connection)}"
        for field in fields
    )
    with connection.cursor() as cursor:
        # Composed from the model's own table, column names and types; every value is in the parameter.
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
            f"FROM jsonb_to_recordset(CAST(%s AS jsonb)) AS v(id bigint, {types}) WHERE t.id = v.id",
            [json.dumps(rows)],
        )


def _stored(field: "Field[Any, Any]", record: Transaction) -> Any:
    """The field's value as the UPDATE's JSON document carries it: JSON fields as they are, the rest as saved."""
    value = getattr(record, field.attname)
    if isinstance(field, JSONField):
        return value
    value = field.get_db_prep_save(value, connection)
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _check_may_decide(actor: User | None) -> None:
    if actor is not None and not user_can(actor, Action.DECIDE_TRANSACTION):
        raise PermissionDenied(f"{actor} may not decide transactions")


def _list_versions_in_force() -> list[int]:
    return sorted(ListVersion.objects.in_force().values_list("pk", flat=True))


def _set_decision(
    record: Transaction, result: Evaluation, *, at: datetime.datetime, list_versions: list[int]
) -> dict[str, Any]:
    """Put the evaluation's decision on the transaction (unsaved); return the decision it replaces."""
    before = {"decision": record.decision, "reasons": record.decision_reasons}
    record.decision = result.decision
    record.decision_reasons = result.reasons
    record.decided_at = record.updated_at = at
    record.decision_basis = with_time(result.basis, at=at, list_versions=list_versions)
    record.licence = result.licence
    record.attributed_country_id = result.attributed_country
    return before


def _open_work(record: Transaction, result: Evaluation) -> None:
    """Open what the decision calls for: a determination task for a hold that needs one, a draft application."""
    if result.needs_determination:
        open_determination_task(
            subject=record.person or record.customer,
            reason=result.reasons[0],
            transaction_record=record,
        )
    if result.decision == Decision.LICENCE_REQUIRED:
        create_draft_application(transaction_record=record, evaluation=result)


def _decided_event(record: Transaction, result: Evaluation, before: dict[str, Any]) -> dict[str, Any]:
    return {
        "verb": "transaction.decided",
        "target": record,
        "before": before,
        "after": {
            "decision": record.decision,
            "reasons": record.decision_reasons,
            "licence": result.licence.number if result.licence else None,
            # So that any earlier decision, not only the last, can be replayed.
            "basis": record.decision_basis,
        },
    }


def redecide_pending_for(
    *, customers: Iterable[int] = (), persons: Iterable[int] = (), parties: Iterable[int] = ()
) -> int:
    """Decide again the held or licence-awaiting transactions involving these customers, persons or parties."""
    involved = Q(customer_id__in=customers) | Q(person_id__in=persons) | Q(applications__parties__id__in=parties)
    return decide_again(Transaction.objects.filter(decision__in=PENDING).filter(involved).distinct())


def redecide_held_for_recipients(*, customers: Iterable[int] = (), persons: Iterable[int] = ()) -> int:
    """Decide again, in one transaction, the waiting transactions of many recipients; return how many.

    What `redecide_held` does for each customer (its own transactions, not its
    people's) and each person, for a chunk of recipients at once: one query
    finds them, they are decided together (`decide_transactions`), and one
    commit keeps them.
    """
    pending = Transaction.objects.filter(decision__in=PENDING).filter(
        Q(customer_id__in=list(customers), person__isnull=True) | Q(person_id__in=list(persons))
    )
    with transaction.atomic():
        return decide_again(pending)


def decide_again(pending: QuerySet[Transaction]) -> int:
    """Decide these transactions again, DECIDED_TOGETHER at a time in id order; return how many.

    Each chunk is one `decide_transactions` (its own commit unless the caller
    holds one open): a recipient may have thousands waiting, and one at a time
    they cost a lock, a read, a write and an event insert each.
    """
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), DECIDED_TOGETHER):
        decide_transactions(actor=None, transaction_ids=ids[start : start + DECIDED_TOGETHER])
    return len(ids)


# Transactions decided in one statement each of reading, updating and recording: a recipient may have thousands.
DECIDED_TOGETHER = 500


# The decisions that wait on something: a new fact may change them.
PENDING = (Decision.HOLD, Decision.LICENCE_REQUIRED)


def redecide_held(
    *, customer_id: int | None = None, person_id: int | None = None, include_persons: bool = False
) -> int:
    """Decide again every held or licence-awaiting transaction of one recipient; return how many.

    With `include_persons`, the customer's transactions for its people count too
    (a change of the customer's standing affects them all).
    """
    pending = Transaction.objects.filter(decision__in=PENDING)
    if person_id is not None:
        pending = pending.filter(person_id=person_id)
    elif customer_id is None:
        # No recipient named: every transaction has a customer, so none waits on this.
        return 0
    elif include_persons:
        pending = pending.filter(customer_id=customer_id)
    else:
        pending = pending.filter(customer_id=customer_id, person__isnull=True)
    return decide_again(pending)
