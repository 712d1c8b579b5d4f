"""After a batch's approval, its subjects' held transactions are decided again a chunk of subjects per task."""

import json

import psycopg
import pytest
from django.db import connection

from licensing.api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from licensing.audit.models import Event
from licensing.batches.models import BatchEntry, DeterminationBatch
from licensing.batches.services import approval
from licensing.batches.services.approval import approve_batch_entries
from licensing.batches.services.redecision import redecide_approved_entries
from licensing.batches.services.review import approve_batch, open_entry, start_review
from licensing.batches.task_names import REDECIDE_BATCH
from licensing.cases.models import Decision, Transaction
from licensing.cases.services.transactions import decide_transaction
from licensing.determinations.models import ForeignPersonDetermination
from licensing.determinations.services import approve_determination, prepare_determination, submit_determination
from licensing.outbox.models import OutboxMessage
from tests.factories import CustomerFactory
from tests.factories import transaction as transaction_for

from ..celery_worker import wait_until

PER_SUBJECT = "licensing.cases.tasks.redecide_held_transactions"


def reviewed(batch, reviewer) -> DeterminationBatch:
    start_review(actor=reviewer, batch=batch)
    batch.refresh_from_db()
    for entry in batch.entries.filter(sampled=True).select_related("batch"):
        open_entry(actor=reviewer, entry=entry)
    return approve_batch(actor=reviewer, batch=batch)


def held(customers, item) -> list[Transaction]:
    records = [
        decide_transaction(actor=None, transaction_record=transaction_for(customer, item, country="US"))
        for customer in customers
    ]
    assert {r.decision for r in records} == {Decision.HOLD}
    return records


@pytest.mark.django_db
def test_a_batchs_approval_queues_one_redecision_per_chunk_not_one_per_subject(
    prepared, reviewer, book, item, django_capture_on_commit_callbacks
):
    records = held(book[:12], item)
    reviewed(prepared, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approve_batch_entries(prepared.pk, chunk=10)

    chunks = OutboxMessage.objects.filter(task=REDECIDE_BATCH).order_by("pk")
    # 25 entries, approved 10 at a time: three chunks, three tasks, each naming its range of entries.
    assert chunks.count() == 3
    assert not OutboxMessage.objects.filter(task=PER_SUBJECT).exists()
    entries = list(prepared.entries.order_by("pk").values_list("pk", flat=True))
    assert [tuple(m.args[1:]) for m in chunks] == [
        (entries[0], entries[9]),
        (entries[10], entries[19]),
        (entries[20], entries[24]),
    ]
    for record in records:
        record.refresh_from_db()
        assert record.decision == Decision.AUTHORISED, record.decision_reasons
    assert prepared.counts()["redecided"] == 25
    assert not prepared.entries.filter(state=BatchEntry.State.APPROVED, redecided_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_approval_events_name_the_batch(prepared, reviewer, django_capture_on_commit_callbacks):
    reviewed(prepared, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approve_batch_entries(prepared.pk)
    approvals = Event.objects.filter(verb="determination.approve")
    assert approvals.count() == 25
    assert {e.after["batch"] for e in approvals} == {prepared.pk}


@pytest.mark.django_db
def test_running_a_chunks_redecision_again_decides_nothing_twice(
    prepared, reviewer, book, item, django_capture_on_commit_callbacks
):
    held(book[:3], item)
    reviewed(prepared, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approve_batch_entries(prepared.pk)
    decided = Event.objects.filter(verb="transaction.decided").count()
    message = OutboxMessage.objects.filter(task=REDECIDE_BATCH).first()

    assert redecide_approved_entries(prepared.pk, first=message.args[1], last=message.args[2]) == 0
    assert Event.objects.filter(verb="transaction.decided").count() == decided


@pytest.mark.django_db
def test_an_unfinished_chunk_is_decided_when_its_task_runs(prepared, reviewer, book, item):
    # The tasks are held (as if the broker were away): the approvals are written, nothing is decided yet.
    records = held(book[:2], item)
    reviewed(prepared, reviewer)
    approve_batch_entries(prepared.pk)
    prepared.refresh_from_db()
    assert prepared.counts()["redecided"] == 0
    assert prepared.is_working
    assert Transaction.objects.get(pk=records[0].pk).decision == Decision.HOLD

    first, last = prepared.entries.order_by("pk").values_list("pk", flat=True)[::24]
    assert redecide_approved_entries(prepared.pk, first=first, last=last) == 2
    assert {Transaction.objects.get(pk=r.pk).decision for r in records} == {Decision.AUTHORISED}
    assert prepared.counts()["redecided"] == 25
    assert not prepared.is_working


@pytest.mark.django_db
def test_billing_hears_of_each_new_decision_through_the_existing_webhook(
    prepared, reviewer, book, item, django_capture_on_commit_callbacks
):
    held(book[:2], item)
    WebhookSubscription.objects.create(
        name="billing", url="https://billing.example/hooks", events=[WebhookEvent.TRANSACTION_DECIDED], secret="s" * 40
    )
    reviewed(prepared, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approve_batch_entries(prepared.pk)
    bodies = [json.loads(d.body) for d in WebhookDelivery.objects.filter(event_type=WebhookEvent.TRANSACTION_DECIDED)]
    assert len(bodies) == 2
    assert {b["data"]["transaction"]["decision"] for b in bodies} == {Decision.AUTHORISED}


@pytest.mark.django_db
def test_an_approval_outside_a_batch_still_decides_its_subject_again_on_its_own(
    reviewer, officer, item, reference_data, today, django_capture_on_commit_callbacks
):
    from_us = CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")
    [record] = held([from_us], item)
    determination = prepare_determination(actor=officer, subject=from_us, effective_on=today)
    determination = submit_determination(actor=officer, determination=determination)
    assert determination.status == ForeignPersonDetermination.Status.IN_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        approve_determination(actor=reviewer, determination=determination)
    assert OutboxMessage.objects.filter(task=PER_SUBJECT).count() == 1
    assert "batch" not in Event.objects.get(verb="determination.approve").after
    record.refresh_from_db()
    assert record.decision == Decision.AUTHORISED


@pytest.mark.slow
def test_a_worker_decides_an_approved_batchs_held_transactions_chunk_by_chunk(
    celery_worker, prepared, reviewer, book, item, monkeypatch
):
    records = held(book[:5], item)
    monkeypatch.setattr(approval, "RANGE", 10)
    reviewed(prepared, reviewer)

    def all_decided():
        prepared.refresh_from_db()
        return prepared.status == DeterminationBatch.Status.APPROVED and prepared.counts()["redecided"] == 25

    wait_until(all_decided, timeout=90, message="the worker to approve the batch and decide its held transactions")
    assert {Transaction.objects.get(pk=r.pk).decision for r in records} == {Decision.AUTHORISED}
    assert OutboxMessage.objects.filter(task=REDECIDE_BATCH, sent_at__isnull=False).exists()
    assert not OutboxMessage.objects.filter(task=PER_SUBJECT).exists()


@pytest.mark.django_db(transaction=True)
def test_a_chunk_is_decided_while_another_worker_holds_the_batch_row(prepared, reviewer, book, item):
    # Another worker's transaction holding the batch row (finishing its approval, say) must not make
    # this chunk skip its entries as if they were taken.
    records = held(book[:2], item)
    reviewed(prepared, reviewer)
    approve_batch_entries(prepared.pk)
    # Committed as it ran, so its chunks were decided at once; put them back as if their tasks were still waiting.
    prepared.entries.update(redecided_at=None)
    Transaction.objects.filter(pk__in=[r.pk for r in records]).update(decision=Decision.HOLD)
    first, last = prepared.entries.order_by("pk").values_list("pk", flat=True)[::24]
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    ) as other:
        other.execute("SELECT id FROM batches_determinationbatch WHERE id = %s FOR UPDATE", [prepared.pk])
        assert redecide_approved_entries(prepared.pk, first=first, last=last) == 2
        other.rollback()
    assert {Transaction.objects.get(pk=r.pk).decision for r in records} == {Decision.AUTHORISED}
