"""A batch is prepared and approved a chunk at a time; a chunk the database refuses is done one entry at a time."""

import pytest
from django.db import IntegrityError

from licensing.audit.models import Event
from licensing.batches.models import BatchEntry, DeterminationBatch
from licensing.batches.services import approval, preparation
from licensing.batches.services.approval import approve_batch_entries
from licensing.batches.services.preparation import prepare_batch, start_batch
from licensing.determinations.models import ForeignPersonDetermination
from licensing.determinations.services import return_determination

from .test_batches import reviewed

pytestmark = pytest.mark.django_db
D = ForeignPersonDetermination.Status


def refused_by_the_database(*args, **kwargs):
    raise IntegrityError("refused")


def test_a_refused_approval_chunk_is_approved_entry_by_entry(prepared, reviewer, monkeypatch):
    reviewed(prepared, reviewer)
    monkeypatch.setattr(approval, "approve_determinations", refused_by_the_database)

    batch = approve_batch_entries(prepared.pk)

    assert batch.status == DeterminationBatch.Status.APPROVED
    assert batch.counts()[BatchEntry.State.APPROVED] == 25
    assert Event.objects.filter(verb="determination.approve").count() == 25


def test_a_refused_preparation_chunk_is_prepared_entry_by_entry(book, officer, today, monkeypatch):
    monkeypatch.setattr(preparation, "prepare_and_submit_determinations", refused_by_the_database)

    batch = prepare_batch(start_batch(actor=officer, buckets=["restorable"], effective_on=today).pk)

    assert batch.counts()[BatchEntry.State.PREPARED] == 25
    assert Event.objects.filter(verb="determination.submit").count() == 25


def test_an_entry_returned_outside_the_batch_is_left_out_with_the_reason_and_the_rest_approved(prepared, reviewer):
    reviewed(prepared, reviewer)
    first = prepared.entries.order_by("pk").first()
    return_determination(actor=reviewer, determination=first.determination, reason="Check the owners.")

    batch = approve_batch_entries(prepared.pk)

    first.refresh_from_db()
    assert first.state == BatchEntry.State.LEFT_OUT
    assert first.left_out_reason == "Its determination was draft outside the batch."
    assert batch.counts()[BatchEntry.State.APPROVED] == 24
    assert ForeignPersonDetermination.objects.filter(status=D.APPROVED).count() == 24
