"""Deciding many waiting transactions together decides each exactly as deciding it alone."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction as database_transaction

from licensing.api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from licensing.audit.models import Event
from licensing.cases.models import Decision, Transaction
from licensing.cases.services import transactions as deciding
from licensing.cases.services.transactions import decide_transaction, decide_transactions, redecide_held

from ..factories import CustomerFactory, approved_determination, letter
from ..factories import transaction as transaction_for
from .test_decision import ROWS, World, customer_never_determined
from .test_replay import screened_with_an_open_hit

# The rows of the decision's table that change no reference data (letters, country groups) for the others.
CHANGES_REFERENCE_DATA = {
    "requirement_not_yet_in_force",
    "country_group_letter_covers_d1",
    "country_group_letter_spares_japan",
    "entity_licence_covers_its_employee",
}
KINDS = [build for build, _, _ in ROWS if build.__name__ not in CHANGES_REFERENCE_DATA]


@pytest.fixture
def world(reference_data, officer, reviewer, item, today):
    letter(item)
    return World(officer=officer, reviewer=reviewer, item=item, today=today)


@pytest.fixture
def billing(db):
    return WebhookSubscription.objects.create(
        name="billing", url="https://billing.example/hooks", events=[WebhookEvent.TRANSACTION_DECIDED], secret="s" * 40
    )


def waiting(records) -> list[int]:
    """Put the transactions back where a re-decision finds them: held, as the cut-off left them."""
    ids = [record.pk for record in records]
    Transaction.objects.filter(pk__in=ids).update(
        decision=Decision.HOLD,
        decision_reasons=["Held at the cut-off."],
        decision_basis={},
        decided_at=None,
        licence=None,
        attributed_country=None,
    )
    return ids


def outcome(record: Transaction) -> tuple:
    # The time of the decision is all that may differ between two decisions on the same facts.
    basis = {name: value for name, value in record.decision_basis.items() if name != "at"}
    return record.decision, record.decision_reasons, basis, record.licence_id, record.attributed_country_id


def what_was_written(ids: list[int], since: int) -> dict[int, dict]:
    """For each transaction: its decision as saved, its decided events, and the deliveries billing was sent."""
    written: dict[int, dict] = {}
    for record in Transaction.objects.filter(pk__in=ids):
        events = Event.objects.filter(verb="transaction.decided", target_id=str(record.pk), pk__gt=since)
        deliveries = WebhookDelivery.objects.filter(dedupe_key__in=[f"event:{event.pk}" for event in events])
        written[record.pk] = {
            "outcome": outcome(record),
            "decided": record.decided_at is not None,
            "events": [
                (event.before, {**event.after, "basis": {k: v for k, v in event.after["basis"].items() if k != "at"}})
                for event in events
            ],
            "told": sorted(json.loads(delivery.body)["data"]["transaction"]["decision"] for delivery in deliveries),
        }
    return written


def decided_alone_and_together(ids: list[int], together=None) -> tuple[dict[int, dict], dict[int, dict]]:
    since = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with database_transaction.atomic():
        for pk in ids:
            decide_transaction(actor=None, transaction_record=Transaction(pk=pk))
        alone = what_was_written(ids, since)
        # Undone, so that deciding them together starts from the same facts.
        database_transaction.set_rollback(True)
    if together is None:
        decide_transactions(actor=None, transaction_ids=ids)
    else:
        together()
    return alone, what_was_written(ids, since)


def test_many_transactions_decided_together_get_the_decision_reasons_and_basis_each_gets_alone(world, billing):
    records = [build(world) for build in KINDS]
    # A second transaction of a customer waiting on its determination, decided in the same statement as its first.
    never_determined = records[KINDS.index(customer_never_determined)].customer
    records.append(transaction_for(never_determined, world.item, country="CA"))
    ids = waiting(records)

    alone, together = decided_alone_and_together(ids)

    assert together == alone
    decisions = {written["outcome"][0] for written in together.values()}
    assert decisions == {Decision.AUTHORISED, Decision.HOLD, Decision.LICENCE_REQUIRED, Decision.REFUSED}
    for written in together.values():
        assert written["decided"]
        assert len(written["events"]) == 1
        # Billing hears of each decision that moved, once; a hold that stays a hold is not news.
        assert written["told"] == ([] if written["outcome"][0] == Decision.HOLD else [written["outcome"][0]])


def test_a_screening_hit_holds_a_transaction_decided_among_others_as_it_does_alone(
    world, billing, officer, reviewer, today
):
    flagged = CustomerFactory(country_of_incorporation_id="DE", legal_name="Rheinland Front GmbH")
    approved_determination(flagged, preparer=officer, reviewer=reviewer, effective_on=today - datetime.timedelta(30))
    screened_with_an_open_hit(flagged)
    records = [
        transaction_for(flagged, world.item),
        transaction_for(flagged, world.item, country="US"),
        transaction_for(world.determined(world.entity("DE")), world.item),
        transaction_for(world.determined(world.entity("US")), world.item, country="US"),
        transaction_for(world.entity("FR"), world.item),
    ]
    ids = waiting(records)

    alone, together = decided_alone_and_together(ids)

    assert together == alone
    held = [together[record.pk]["outcome"] for record in records[:2]]
    assert [decision for decision, *_ in held] == [Decision.HOLD, Decision.HOLD]
    assert all("pending screening" in reasons[0] for _, reasons, *_ in held)


def test_only_a_user_who_may_decide_transactions_decides_many(world, auditor):
    record = transaction_for(world.determined(world.entity("US")), world.item, country="US")
    with pytest.raises(PermissionDenied):
        decide_transactions(actor=auditor, transaction_ids=[record.pk])
    assert not Event.objects.filter(verb="transaction.decided", actor=auditor).exists()


def test_one_recipient_s_waiting_transactions_are_decided_again_a_chunk_at_a_time_each_as_alone(
    world, billing, monkeypatch
):
    customer = world.determined(world.entity("DE"))
    ids = waiting([transaction_for(customer, world.item, country=code) for code in ("DE", "FR", "US", "CA", "JP")])
    monkeypatch.setattr(deciding, "DECIDED_TOGETHER", 2)
    chunks: list[list[int]] = []
    decide_chunk = deciding.decide_transactions

    def recording_chunks(**arguments):
        chunks.append(list(arguments["transaction_ids"]))
        return decide_chunk(**arguments)

    monkeypatch.setattr(deciding, "decide_transactions", recording_chunks)
    counted = []

    alone, together = decided_alone_and_together(ids, lambda: counted.append(redecide_held(customer_id=customer.pk)))

    assert counted == [5]
    assert chunks == [ids[0:2], ids[2:4], ids[4:]]
    assert together == alone
    assert all(len(written["events"]) == 1 for written in together.values())
