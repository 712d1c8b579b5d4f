"""A recorded decision replays to its outcome and reasons under what was in force when it was made."""

import datetime

import pytest
from django.utils import timezone

from licensing.cases.decision import live_decision
from licensing.cases.models import Decision, Transaction
from licensing.cases.replay import replay_decision
from licensing.cases.services.transactions import decide_transaction
from licensing.determinations.models import ForeignPersonDetermination
from licensing.screening.models import Hit, ListEntry, ListVersion, SubjectScreening
from licensing.screening.subjects import customer_fingerprint

from ..factories import CustomerFactory, approved_determination, letter, transaction


@pytest.fixture
def german_customer(reference_data, officer, reviewer, today):
    customer = CustomerFactory(country_of_incorporation_id="DE")
    approved_determination(
        customer, preparer=officer, reviewer=reviewer, effective_on=today - datetime.timedelta(days=30)
    )
    return customer


def screened_with_an_open_hit(customer) -> Hit:
    version = ListVersion.objects.create(
        feed="csl",
        status=ListVersion.Status.IN_FORCE,
        published_on="2026-11-01",
        source="test",
        digest="0" * 64,
        in_force_at=timezone.now() - datetime.timedelta(days=1),
    )
    entry = ListEntry.objects.create(
        version=version, key="el-1", fingerprint="f", source="Entity List", name="Rheinland Front", list_code="EL"
    )
    SubjectScreening.objects.create(
        customer=customer,
        screened_at=timezone.now(),
        fingerprint=customer_fingerprint(customer, list(customer.addresses.all())),
    )
    return Hit.objects.create(
        customer=customer,
        entry=entry,
        entry_key="el-1",
        score=0.93,
        subject_name=customer.legal_name,
        matched_name="Rheinland Front",
        first_matched_at=timezone.now(),
        last_matched_at=timezone.now(),
    )


def test_a_decision_made_before_a_requirement_was_added_replays_to_its_outcome(german_customer, item):
    record = transaction(german_customer, item)
    assert record.decision == Decision.AUTHORISED
    letter(item)  # in force since January: on the decision's day too, but written after it
    assert live_decision(record).decision == Decision.LICENCE_REQUIRED

    replay = replay_decision(Transaction.objects.get(pk=record.pk))

    assert (replay.decision, replay.reasons) == (Decision.AUTHORISED, record.decision_reasons)
    assert replay.matches is True
    assert any("was not in force when the decision was made: not applied" in note for note in replay.notes)


def test_a_hold_on_a_hit_cleared_since_replays_as_the_hold_it_was(german_customer, item):
    hit = screened_with_an_open_hit(german_customer)
    record = transaction(german_customer, item)
    assert record.decision == Decision.HOLD
    Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.CLEARED)
    assert live_decision(record).decision == Decision.AUTHORISED

    replay = replay_decision(record)

    assert replay.matches is True
    assert replay.reasons == record.decision_reasons
    assert f"Screening hit #{hit.pk}" in replay.reasons[0]
    assert replay.list_version_ids == [hit.entry.version_id]
    assert f"Screening hit #{hit.pk} is cleared (false positive) now; replayed as open, as it was." in replay.notes


def test_a_decision_citing_a_determination_superseded_since_replays_citing_it(
    german_customer, item, officer, reviewer, today
):
    letter(item)
    record = transaction(german_customer, item)
    first = ForeignPersonDetermination.objects.get(customer=german_customer, status="approved")
    assert str(first) in " ".join(record.decision_reasons)
    approved_determination(german_customer, preparer=officer, reviewer=reviewer, effective_on=today)
    first.refresh_from_db()
    assert first.status == ForeignPersonDetermination.Status.SUPERSEDED
    assert str(first) not in " ".join(live_decision(record).reasons)

    replay = replay_decision(record)

    assert (replay.decision, replay.reasons) == (Decision.LICENCE_REQUIRED, record.decision_reasons)
    assert replay.matches is True


def test_an_earlier_decision_is_replayed_as_of_its_time(german_customer, item):
    hit = screened_with_an_open_hit(german_customer)
    record = transaction(german_customer, item)
    held_reasons = record.decision_reasons
    between = timezone.now()
    Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.CLEARED)
    record = decide_transaction(actor=None, transaction_record=record)
    assert record.decision == Decision.AUTHORISED

    then = replay_decision(record, at=between)
    latest = replay_decision(record)

    assert (then.recorded_decision, then.decision, then.reasons) == (Decision.HOLD, Decision.HOLD, held_reasons)
    assert then.matches is True
    assert (latest.decision, latest.matches) == (Decision.AUTHORISED, True)


def test_a_decision_recorded_before_bases_were_kept_is_not_replayed(german_customer, item):
    record = transaction(german_customer, item)
    Transaction.objects.filter(pk=record.pk).update(decision_basis={})
    record.refresh_from_db()

    replay = replay_decision(record)

    assert replay.decision is None and replay.matches is None
    assert "recorded before decisions kept what they were decided under" in replay.missing[0]


def test_no_decision_before_the_time_asked_about_is_said_plainly(german_customer, item):
    record = transaction(german_customer, item)

    before = record.decided_at - datetime.timedelta(days=1)
    replay = replay_decision(record, at=before)

    assert replay.decision is None
    assert replay.missing == [f"No decision of {record} was recorded at or before {before:%Y-%m-%d %H:%M} UTC."]
