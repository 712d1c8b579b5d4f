"""Writing an approved batch: each determination approved with its own event, a chunk of them at a time.

A chunk's approvals are one transaction, written together by the
determinations service (what approving each one alone would write), so a
stopped worker loses at most the chunk it was on: running the task again
carries on with the entries not yet approved, and an entry whose
determination is already approved is only marked. A chunk the database
refuses is approved again one entry at a time, so each entry gets its own
outcome and reason.

The approvals' events name the batch, so the reaction that queues a
re-decision per approved subject leaves them to the batch: each chunk queues
one task, in its own transaction, that decides again the waiting
transactions of the subjects it approved (`redecision.py`), and billing hears
through the existing webhooks.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing.audit.services import record_event
from licensing.determinations.models import ForeignPersonDetermination
from licensing.determinations.services import approve_determination, approve_determinations, return_determination
from licensing.outbox.services import enqueued_together
from licensing.workflow.machine import TransitionError

from ..models import BatchEntry, DeterminationBatch
from .redecision import queue_redecision

CHUNK = 200
# Entries per approval task: the tasks of one batch run side by side on as many workers as there are.
RANGE = 1000
D = ForeignPersonDetermination.Status


def _approve_entry(entry_id: int, batch: DeterminationBatch) -> None:
    with transaction.atomic():
        # skip_locked: another worker running the same batch has this entry; it is theirs.
        entry = (
            BatchEntry.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .filter(pk=entry_id, state=BatchEntry.State.PREPARED)
            .select_related("determination")
            .first()
        )
        if entry is None:
            return
        determination = entry.determination
        reason = ""
        if determination is None:
            reason = "No determination was prepared."
        elif determination.status == D.IN_REVIEW:
            try:
                with transaction.atomic():
                    approve_determination(
                        actor=batch.reviewer,
                        determination=determination,
                        reason=f"Approved in batch #{batch.pk} after a sampled review of {batch.sample_size}.",
                        batch_id=batch.pk,
                    )
            except (TransitionError, ValidationError) as error:
                reason = f"Could not be approved: {error}"
        elif determination.status != D.APPROVED:
            # Someone acted on it by itself since (returned, rejected, superseded): that stands.
            reason = f"Its determination was {determination.get_status_display().lower()} outside the batch."
        if reason:
            entry.state = BatchEntry.State.LEFT_OUT
            entry.left_out_reason = reason
        else:
            entry.state = BatchEntry.State.APPROVED
            queue_redecision(batch.pk, [entry.pk])
        entry.save(update_fields=["state", "left_out_reason"])


def _approve_chunk(entry_ids: list[int], batch: DeterminationBatch) -> None:
    """Approve a chunk's entries together: what `_approve_entry` writes for each, in a few statements."""
    approving = f"Approved in batch #{batch.pk} after a sampled review of {batch.sample_size}."
    with transaction.atomic():
        # skip_locked: another worker running the same batch has these entries; they are theirs.
        entries = list(
            BatchEntry.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .filter(pk__in=entry_ids, state=BatchEntry.State.PREPARED)
            .select_related("determination")
            .order_by("pk")
        )
        reasons: dict[int, str] = {}
        in_review = [e.determination for e in entries if e.determination and e.determination.status == D.IN_REVIEW]
        # The reactions' follow-ups (review clocks) are still one message each, written in one insert.
        with enqueued_together():
            _, refused = approve_determinations(
                actor=batch.reviewer, determinations=in_review, reason=approving, batch_id=batch.pk
            )
        for entry in entries:
            determination = entry.determination
            if determination is None:
                reasons[entry.pk] = "No determination was prepared."
            elif determination.pk in refused:
                reasons[entry.pk] = f"Could not be approved: {refused[determination.pk]}"
            elif determination.status not in (D.IN_REVIEW, D.APPROVED):
                # Someone acted on it by itself since (returned, rejected, superseded): that stands.
                reasons[entry.pk] = (
                    f"Its determination was {determination.get_status_display().lower()} outside the batch."
                )
            entry.state = BatchEntry.State.LEFT_OUT if entry.pk in reasons else BatchEntry.State.APPROVED
            entry.left_out_reason = reasons.get(entry.pk, entry.left_out_reason)
        # Approved entries share their values: one plain UPDATE; those left out each have their reason.
        BatchEntry.objects.filter(pk__in=[e.pk for e in entries if e.pk not in reasons]).update(
            state=BatchEntry.State.APPROVED
        )
        BatchEntry.objects.bulk_update([e for e in entries if e.pk in reasons], ["state", "left_out_reason"])
        queue_redecision(batch.pk, [e.pk for e in entries if e.pk not in reasons])


def approve_batch_entries(
    batch_id: int,
    *,
    first: int | None = None,
    last: int | None = None,
    chunk: int = CHUNK,
    most: int | None = None,
) -> DeterminationBatch:
    """Approve the batch's remaining determinations with entry ids from `first` to `last` (all when not given).

    `most` stops after that many. Idempotent: approved entries are skipped, so
    running it again, or beside another worker, only does what is left.
    """
    batch = DeterminationBatch.objects.select_related("reviewer").get(pk=batch_id)
    if batch.status != DeterminationBatch.Status.APPROVING:
        return batch
    entries = batch.entries.filter(state=BatchEntry.State.PREPARED)
    if last is not None:
        entries = entries.filter(pk__lte=last)
    done = 0
    after = (first - 1) if first is not None else 0
    while most is None or done < most:
        size = chunk if most is None else min(chunk, most - done)
        ids = list(entries.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return _finish(batch_id)
        try:
            _approve_chunk(ids, batch)
        except IntegrityError:
            # The chunk wrote nothing; one at a time, each entry gets its own outcome and reason.
            for entry_id in ids:
                _approve_entry(entry_id, batch)
        done += len(ids)
        after = ids[-1]
    return DeterminationBatch.objects.get(pk=batch_id)


def approval_ranges(batch: DeterminationBatch, *, size: int | None = None) -> list[tuple[int, int]]:
    """The batch's waiting entries cut into ranges of consecutive ids, one task each, for workers to share."""
    size = size or RANGE
    ids = list(batch.entries.filter(state=BatchEntry.State.PREPARED).order_by("pk").values_list("pk", flat=True))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _finish(batch_id: int) -> DeterminationBatch:
    with transaction.atomic():
        batch = DeterminationBatch.objects.select_for_update(no_key=True).get(pk=batch_id)
        if batch.status != DeterminationBatch.Status.APPROVING:
            return batch
        if batch.entries.filter(state=BatchEntry.State.PREPARED).exists():
            # Another worker still holds some entries; it finishes the batch.
            return batch
        batch.status = DeterminationBatch.Status.APPROVED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        counts = batch.counts()
        record_event(
            actor=None,
            verb="determination_batch.finish_approval",
            target=batch,
            before={"status": DeterminationBatch.Status.APPROVING},
            after={
                "status": batch.status,
                "approved": counts[BatchEntry.State.APPROVED],
                "left_out": counts[BatchEntry.State.LEFT_OUT],
            },
        )
    return batch


def return_stopped_batch(batch_id: int, *, chunk: int = CHUNK) -> int:
    """Send a stopped batch's determinations back to their preparer, each with the reason; return how many."""
    batch = DeterminationBatch.objects.select_related("reviewer").get(pk=batch_id)
    if batch.status != DeterminationBatch.Status.STOPPED or batch.reviewer is None:
        return 0
    returned = 0
    while True:
        ids = list(
            batch.entries.filter(state=BatchEntry.State.PREPARED).order_by("pk").values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return returned
        for entry_id in ids:
            with transaction.atomic():
                entry = (
                    BatchEntry.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
                    .filter(pk=entry_id, state=BatchEntry.State.PREPARED)
                    .select_related("determination")
                    .first()
                )
                if entry is None:
                    continue
                reason = f"Batch #{batch.pk} stopped: {batch.stop_reason}"
                if entry.determination is not None and entry.determination.status == D.IN_REVIEW:
                    return_determination(actor=batch.reviewer, determination=entry.determination, reason=reason)
                    returned += 1
                entry.state = BatchEntry.State.LEFT_OUT
                entry.left_out_reason = reason
                entry.save(update_fields=["state", "left_out_reason"])
