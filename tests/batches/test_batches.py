"""A batch: prepared by one officer, reviewed through a recorded sample by another, approved one by one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from licensing.audit.models import Event
from licensing.batches.models import BatchEntry, DeterminationBatch
from licensing.batches.sampling import draw
from licensing.batches.services import approval
from licensing.batches.services.approval import approve_batch_entries, return_stopped_batch
from licensing.batches.services.preparation import prepare_batch, start_batch
from licensing.batches.services.review import accept_entry, approve_batch, open_entry, reject_entry, start_review
from licensing.cases.models import Decision
from licensing.cases.services.transactions import decide_transaction
from licensing.determinations.models import ForeignPersonDetermination
from licensing.determinations.services import approve_determination
from licensing.outbox.models import OutboxMessage
from licensing.restoration.models import Bucket, Proposal
from licensing.restoration.services.triage import accept_proposals, move_proposal, triage_subject
from tests.factories import CustomerFactory
from tests.factories import transaction as transaction_for

pytestmark = pytest.mark.django_db
D = ForeignPersonDetermination.Status


def open_sample(batch, reviewer):
    for entry in batch.entries.filter(sampled=True).select_related("batch"):
        open_entry(actor=reviewer, entry=entry)


def reviewed(batch, reviewer) -> DeterminationBatch:
    start_review(actor=reviewer, batch=batch)
    batch.refresh_from_db()
    open_sample(batch, reviewer)
    return approve_batch(actor=reviewer, batch=batch)


def test_preparing_makes_one_determination_per_subject_in_review_and_records_the_sample(prepared, officer, book):
    assert prepared.status == DeterminationBatch.Status.PREPARED
    entries = prepared.entries.all()
    assert entries.count() == 25
    assert {e.state for e in entries} == {BatchEntry.State.PREPARED}
    determinations = ForeignPersonDetermination.objects.filter(pk__in=entries.values("determination"))
    assert determinations.count() == 25
    assert {(d.status, d.outcome, d.prepared_by_id) for d in determinations} == {(D.IN_REVIEW, "us_person", officer.pk)}
    # max(20, 2% of 25) = 20, drawn with a recorded seed that draws the same sample again.
    sampled = list(entries.filter(sampled=True).values_list("pk", flat=True))
    assert prepared.sample_size == len(sampled) == 20
    assert draw(list(entries.values_list("pk", flat=True)), seed=prepared.sample_seed) == sorted(sampled)
    assert len(prepared.sample) == 20
    event = Event.objects.get(verb="determination_batch.prepared")
    assert (event.after["sample_seed"], event.after["sample_size"]) == (prepared.sample_seed, 20)


def test_a_subject_whose_facts_disagree_with_its_accepted_bucket_is_left_out_with_the_reason(book, officer, today):
    german = CustomerFactory(country_of_incorporation_id="DE")
    proposal = triage_subject(german)
    moved = move_proposal(actor=officer, proposal=proposal, bucket=Bucket.RESTORABLE, reason="Sales says U.S.")
    accept_proposals(actor=officer, proposals=[moved])

    batch = prepare_batch(start_batch(actor=officer, buckets=["restorable"], effective_on=today).pk)

    entry = batch.entries.get(customer=german)
    assert entry.state == BatchEntry.State.LEFT_OUT
    assert "Foreign person" in entry.left_out_reason and "DE" in entry.left_out_reason
    assert entry.determination is None
    assert not entry.sampled
    assert batch.entries.filter(state=BatchEntry.State.PREPARED).count() == 25


def test_only_accepted_proposals_of_the_chosen_buckets_are_taken(book, officer, today):
    Proposal.objects.filter(customer=book[0]).update(accepted_at=None, accepted_by=None)
    batch = start_batch(actor=officer, buckets=["restorable"], effective_on=today)
    assert batch.entries.count() == 24
    with pytest.raises(ValidationError):
        start_batch(actor=officer, buckets=["needs_attestation"], effective_on=today)
    # Subjects already in an open batch wait for it.
    with pytest.raises(ValidationError, match="No accepted proposal"):
        start_batch(actor=officer, buckets=["restorable"], effective_on=today)


def test_the_preparer_may_not_review_their_own_batch(book, reviewer, reviewer2, today):
    batch = prepare_batch(start_batch(actor=reviewer2, buckets=["restorable"], effective_on=today).pk)
    with pytest.raises(PermissionDenied, match="four eyes"):
        start_review(actor=reviewer2, batch=batch)
    assert start_review(actor=reviewer, batch=batch).reviewer == reviewer


def test_an_officer_may_not_review(prepared, officer2):
    with pytest.raises(PermissionDenied):
        start_review(actor=officer2, batch=prepared)


def test_the_database_refuses_a_batch_reviewed_by_its_preparer(prepared, officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        DeterminationBatch.objects.filter(pk=prepared.pk).update(reviewer=officer)


def test_approval_waits_until_the_reviewer_has_opened_every_sampled_subject(prepared, reviewer, reviewer2):
    start_review(actor=reviewer, batch=prepared)
    prepared.refresh_from_db()
    sample = list(prepared.entries.filter(sampled=True).select_related("batch"))
    for entry in sample[:-1]:
        open_entry(actor=reviewer, entry=entry)
    # Someone else opening the last one does not count.
    open_entry(actor=reviewer2, entry=sample[-1])

    with pytest.raises(ValidationError, match="1 of 20 not yet opened"):
        approve_batch(actor=reviewer, batch=prepared)
    with pytest.raises(PermissionDenied):
        approve_batch(actor=reviewer2, batch=prepared)

    open_entry(actor=reviewer, entry=sample[-1])
    batch = approve_batch(actor=reviewer, batch=prepared)
    assert batch.status == DeterminationBatch.Status.APPROVING
    assert Event.objects.filter(verb="determination_batch.subject_opened").count() == 20


def test_approval_writes_each_determination_and_its_own_event(prepared, reviewer):
    reviewed(prepared, reviewer)

    batch = approve_batch_entries(prepared.pk)

    assert batch.status == DeterminationBatch.Status.APPROVED
    determinations = ForeignPersonDetermination.objects.filter(pk__in=batch.entries.values("determination"))
    assert {(d.status, d.approved_by_id) for d in determinations} == {(D.APPROVED, reviewer.pk)}
    assert Event.objects.filter(verb="determination.approve").count() == 25
    assert Event.objects.get(verb="determination_batch.finish_approval").after["approved"] == 25


def test_approval_is_resumable_and_running_it_again_changes_nothing(prepared, reviewer):
    reviewed(prepared, reviewer)

    part = approve_batch_entries(prepared.pk, most=7)
    assert part.status == DeterminationBatch.Status.APPROVING
    assert part.counts()[BatchEntry.State.APPROVED] == 7

    approve_batch_entries(prepared.pk)
    events = Event.objects.count()
    again = approve_batch_entries(prepared.pk)

    assert again.status == DeterminationBatch.Status.APPROVED
    assert again.counts()[BatchEntry.State.APPROVED] == 25
    assert Event.objects.count() == events
    assert Event.objects.filter(verb="determination.approve").count() == 25


def test_an_entry_already_approved_outside_the_run_is_only_marked(prepared, reviewer):
    reviewed(prepared, reviewer)
    first = prepared.entries.order_by("pk").first()
    approve_determination(actor=reviewer, determination=first.determination)

    approve_batch_entries(prepared.pk)

    first.refresh_from_db()
    assert first.state == BatchEntry.State.APPROVED
    assert Event.objects.filter(verb="determination.approve").count() == 25


def test_rejecting_a_sampled_subject_stops_the_batch_and_nothing_is_approved(prepared, reviewer):
    start_review(actor=reviewer, batch=prepared)
    prepared.refresh_from_db()
    open_sample(prepared, reviewer)
    first, second = prepared.entries.filter(sampled=True).select_related("batch")[:2]
    accept_entry(actor=reviewer, entry=first)
    with pytest.raises(ValidationError):
        reject_entry(actor=reviewer, entry=second, reason="")

    batch = reject_entry(actor=reviewer, entry=second, reason="Headquarters is in Canada per the filing")

    assert batch.status == DeterminationBatch.Status.STOPPED
    assert "Canada" in batch.stop_reason
    with pytest.raises(ValidationError):
        approve_batch(actor=reviewer, batch=batch)
    assert approve_batch_entries(batch.pk).status == DeterminationBatch.Status.STOPPED
    assert not ForeignPersonDetermination.objects.filter(status=D.APPROVED).exists()


def test_a_verdict_needs_the_subject_opened_first(prepared, reviewer):
    start_review(actor=reviewer, batch=prepared)
    entry = prepared.entries.filter(sampled=True).select_related("batch").first()
    with pytest.raises(ValidationError, match="Open"):
        accept_entry(actor=reviewer, entry=entry)


def test_held_transactions_of_approved_subjects_are_authorised(
    prepared, reviewer, book, item, django_capture_on_commit_callbacks
):
    record = decide_transaction(actor=None, transaction_record=transaction_for(book[0], item, country="US"))
    assert record.decision == Decision.HOLD

    reviewed(prepared, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approve_batch_entries(prepared.pk)

    record.refresh_from_db()
    assert record.decision == Decision.AUTHORISED, record.decision_reasons


def test_a_stopped_batchs_determinations_go_back_to_the_preparer(
    prepared, reviewer, django_capture_on_commit_callbacks
):
    start_review(actor=reviewer, batch=prepared)
    entry = prepared.entries.filter(sampled=True).select_related("batch").first()
    open_entry(actor=reviewer, entry=entry)

    with django_capture_on_commit_callbacks(execute=True):
        reject_entry(actor=reviewer, entry=entry, reason="Wrong headquarters")

    determinations = ForeignPersonDetermination.objects.filter(pk__in=prepared.entries.values("determination"))
    assert {d.status for d in determinations} == {D.DRAFT}
    assert prepared.entries.filter(state=BatchEntry.State.LEFT_OUT).count() == 25
    assert "Wrong headquarters" in prepared.entries.first().left_out_reason
    assert Event.objects.filter(verb="determination.return_to_preparer").count() == 25
    assert return_stopped_batch(prepared.pk) == 0


def test_approval_is_shared_by_tasks_over_ranges_of_the_batch_and_finished_once(
    prepared, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(approval, "RANGE", 10)
    with django_capture_on_commit_callbacks(execute=True):
        reviewed(prepared, reviewer)

    sent = OutboxMessage.objects.filter(task="licensing.batches.tasks.approve_batch_task").order_by("pk")
    assert [len(m.args) for m in sent] == [3, 3, 3]
    prepared.refresh_from_db()
    assert prepared.status == DeterminationBatch.Status.APPROVED
    assert prepared.counts()[BatchEntry.State.APPROVED] == 25
    assert Event.objects.filter(verb="determination_batch.finish_approval").count() == 1
