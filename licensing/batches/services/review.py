"""The second officer's review: take the batch, open every sampled subject, accept or reject them, approve.

Four eyes twice over: the reviewer is never the preparer (here, and by a
database constraint), and each determination's own approval refuses its
preparer too. A rejected sampled subject stops the whole batch.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.outbox.services import enqueue

from .. import task_names
from ..models import BatchEntry, DeterminationBatch
from .approval import approval_ranges

S = DeterminationBatch.Status


def _reviewer_check(actor, batch: DeterminationBatch) -> None:
    if not user_can(actor, Action.APPROVE_DETERMINATION):
        raise PermissionDenied(f"{actor} may not approve or reject determinations")
    if batch.prepared_by_id == actor.pk:
        raise PermissionDenied(f"{actor} prepared {batch}: a second officer must review it (four eyes).")
    if batch.reviewer_id is not None and batch.reviewer_id != actor.pk:
        raise PermissionDenied(f"{batch} is being reviewed by {batch.reviewer}.")


def _in_status(batch: DeterminationBatch, *statuses: str) -> None:
    if batch.status not in statuses:
        raise ValidationError({"status": f"{batch} is {batch.get_status_display().lower()}."})


def start_review(*, actor, batch: DeterminationBatch) -> DeterminationBatch:
    """Take a prepared batch for review; from now only this reviewer opens its sample and approves it."""
    with transaction.atomic():
        locked = DeterminationBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
        _reviewer_check(actor, locked)
        _in_status(locked, S.PREPARED)
        locked.status = S.IN_REVIEW
        locked.reviewer = actor
        locked.review_started_at = timezone.now()
        locked.save(update_fields=["status", "reviewer", "review_started_at"])
        record_event(
            actor=actor,
            verb="determination_batch.start_review",
            target=locked,
            before={"status": S.PREPARED},
            after={"status": locked.status, "reviewer": actor.get_username()},
        )
    return locked


def open_entry(*, actor, entry: BatchEntry) -> BatchEntry:
    """Record that the batch's reviewer opened a sampled subject's review page (other viewers change nothing)."""
    batch = entry.batch
    if not (entry.sampled and batch.status == S.IN_REVIEW and batch.reviewer_id == actor.pk):
        return entry
    with transaction.atomic():
        locked = BatchEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
        first = locked.opened_at is None
        if first:
            locked.opened_at = timezone.now()
            locked.opened_by = actor
            locked.save(update_fields=["opened_at", "opened_by"])
        record_event(
            actor=actor,
            verb="determination_batch.subject_opened",
            target=batch,
            after={"entry": locked.pk, "subject": locked.subject_key, "first": first},
        )
    return locked


def _sampled_entry_for_verdict(actor, entry: BatchEntry) -> tuple[DeterminationBatch, BatchEntry]:
    batch = DeterminationBatch.objects.select_for_update(no_key=True).get(pk=entry.batch_id)
    _reviewer_check(actor, batch)
    _in_status(batch, S.IN_REVIEW)
    locked = BatchEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if not locked.sampled:
        raise ValidationError({"entry": f"{locked.subject} is not in the sample."})
    if locked.opened_at is None:
        raise ValidationError({"entry": f"Open {locked.subject}'s review page before giving a verdict."})
    return batch, locked


def accept_entry(*, actor, entry: BatchEntry) -> BatchEntry:
    """Accept a sampled subject the reviewer has opened."""
    with transaction.atomic():
        batch, locked = _sampled_entry_for_verdict(actor, entry)
        locked.verdict = BatchEntry.Verdict.ACCEPTED
        locked.save(update_fields=["verdict"])
        record_event(
            actor=actor,
            verb="determination_batch.subject_accepted",
            target=batch,
            after={"entry": locked.pk, "subject": locked.subject_key},
        )
    return locked


def reject_entry(*, actor, entry: BatchEntry, reason: str) -> DeterminationBatch:
    """Reject a sampled subject: the batch stops and nothing in it is approved."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what is wrong with this subject's determination."})
    with transaction.atomic():
        batch, locked = _sampled_entry_for_verdict(actor, entry)
        locked.verdict = BatchEntry.Verdict.REJECTED
        locked.verdict_reason = reason
        locked.save(update_fields=["verdict", "verdict_reason"])
        batch.status = S.STOPPED
        batch.stop_reason = f"{locked.subject} rejected in the sample: {reason}"
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "stop_reason", "finished_at"])
        record_event(
            actor=actor,
            verb="determination_batch.stop",
            target=batch,
            before={"status": S.IN_REVIEW},
            after={"status": batch.status, "entry": locked.pk, "subject": locked.subject_key},
            reason=reason,
        )
        # Nothing in a stopped batch is approved: its determinations go back to the preparer, in the background.
        enqueue(task_names.RETURN_STOPPED_BATCH, batch.pk)
    return batch


def unopened_sample(batch: DeterminationBatch):
    return batch.entries.filter(sampled=True).filter(opened_at__isnull=True)


def approve_batch(*, actor, batch: DeterminationBatch) -> DeterminationBatch:
    """Approve a batch whose whole sample this reviewer opened; its determinations are approved in the background."""
    with transaction.atomic():
        locked = DeterminationBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
        _reviewer_check(actor, locked)
        _in_status(locked, S.IN_REVIEW)
        unopened = unopened_sample(locked).count()
        if unopened:
            raise ValidationError(
                {"sample": f"Open every sampled subject first: {unopened} of {locked.sample_size} not yet opened."}
            )
        if locked.entries.filter(sampled=True, opened_by__isnull=False).exclude(opened_by=actor).exists():
            raise ValidationError({"sample": "The sample was opened by someone else; the approving reviewer opens it."})
        locked.status = S.APPROVING
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_at"])
        record_event(
            actor=actor,
            verb="determination_batch.approve",
            target=locked,
            before={"status": S.IN_REVIEW},
            after={
                "status": locked.status,
                "determinations": locked.entries.filter(state=BatchEntry.State.PREPARED).count(),
                "sample_size": locked.sample_size,
            },
        )
        _enqueue_approval(locked)
    return locked


def _enqueue_approval(batch: DeterminationBatch) -> None:
    for first, last in approval_ranges(batch):
        enqueue(task_names.APPROVE_BATCH, batch.pk, first, last)
    # Nothing left to approve (all acted on elsewhere): one task still finishes the batch.
    if not batch.entries.filter(state=BatchEntry.State.PREPARED).exists():
        enqueue(task_names.APPROVE_BATCH, batch.pk)


def resume_approval(*, actor, batch: DeterminationBatch) -> DeterminationBatch:
    """Queue the approval again for a batch whose background run stopped part way (it carries on where it was)."""
    if not user_can(actor, Action.APPROVE_DETERMINATION):
        raise PermissionDenied(f"{actor} may not approve or reject determinations")
    _in_status(batch, S.APPROVING)
    with transaction.atomic():
        _enqueue_approval(batch)
    return batch
