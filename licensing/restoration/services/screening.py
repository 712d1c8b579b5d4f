"""Screening what a bulk import wrote: every customer and seat it created or changed, a chunk per task.

The bulk writers record one event per chunk and no `customer.created` per
record, so the reaction that screens a record made one at a time does not
run for them. Instead each import chunk writes the ids it created or changed
as `ImportScreeningChunk` rows in its own transaction, and once the import
and its triage are done the chunks are queued through the outbox, one task
each. A task screens its subjects with screening's own services (matched in
memory, recorded in one transaction, as a re-screen batch is); a subject
already screened as it is now, against the same list versions, is not
screened again. The screening records which subjects it affected, and that
event's reactions decide their waiting transactions and triage them again
(`licensing.reactions.table`): clean, a subject leaves *awaiting screening*
for the bucket its other facts give; on a hit it is *blocked by screening*.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from licensing.audit.services import record_event
from licensing.outbox.services import enqueue
from licensing.screening.loading import current_index
from licensing.screening.models import SubjectScreening
from licensing.screening.services.rescreen import record_screened, screen_in_memory
from licensing.screening.subjects import fingerprint_of, subjects_of_kind

from ..models import ImportRun, ImportScreeningChunk
from ..task_names import SCREEN_IMPORTED

# Subjects per task: a re-screen batch's size, so a failed task retries a bounded amount of matching.
SUBJECTS_PER_TASK = 500


def record_to_screen(run: ImportRun, kind: str, subject_ids: Iterable[int]) -> None:
    """In the import chunk's transaction, keep the subjects it created or changed for screening after the import."""
    ids = sorted(set(subject_ids))
    parts = [ids[start : start + SUBJECTS_PER_TASK] for start in range(0, len(ids), SUBJECTS_PER_TASK)]
    ImportScreeningChunk.objects.bulk_create(
        ImportScreeningChunk(run=run, kind=kind, subject_ids=part, size=len(part)) for part in parts
    )


def queue_screening(run: ImportRun) -> int:
    """In the caller's transaction, queue the run's chunks not yet queued, one task each; return how many."""
    waiting = list(run.screening_chunks.filter(queued_at__isnull=True).values_list("pk", flat=True))
    for chunk_id in waiting:
        enqueue(SCREEN_IMPORTED, chunk_id)
    ImportScreeningChunk.objects.filter(pk__in=waiting).update(queued_at=timezone.now())
    return len(waiting)


def _screened_as_they_are(kind: str, subjects: list, version_ids: list[int]) -> set[int]:
    """The subjects whose latest screening was of their names and addresses as they are, against these versions."""
    recorded = {
        subject_id: (fingerprint, versions)
        for subject_id, fingerprint, versions in SubjectScreening.objects.filter(
            **{f"{kind}_id__in": [s.pk for s in subjects]}
        ).values_list(f"{kind}_id", "fingerprint", "versions")
    }
    return {s.pk for s in subjects if recorded.get(s.pk) == (fingerprint_of(s), version_ids)}


def screen_import_chunk(chunk_id: int) -> int:
    """Screen one chunk of an import's subjects; return how many were screened. A finished chunk is skipped."""
    chunk = ImportScreeningChunk.objects.filter(pk=chunk_id).first()
    if chunk is None or chunk.done_at is not None:
        return 0
    loaded = current_index()
    screened = []
    # With no list in force there is nothing to screen against (and triage's not_screened is silent).
    if loaded.versions:
        subjects = list(subjects_of_kind(chunk.kind).filter(pk__in=chunk.subject_ids).order_by("pk"))
        current = _screened_as_they_are(chunk.kind, subjects, loaded.version_ids)
        # The matching is the slow part and needs no database: done before the transaction.
        screened = screen_in_memory([s for s in subjects if s.pk not in current], loaded)
    with transaction.atomic():
        locked = ImportScreeningChunk.objects.select_for_update(no_key=True).get(pk=chunk_id)
        if locked.done_at is not None:
            return 0
        now = timezone.now()
        # Records the screenings and hits, and which subjects' decisions (and triage) they changed.
        changed = record_screened(chunk.kind, screened, loaded, now, target=locked.run) if screened else 0
        locked.done_at = now
        locked.screened = len(screened)
        locked.hits_changed = changed
        locked.save(update_fields=["done_at", "screened", "hits_changed"])
        _finish_if_last(locked.run_id)
    return locked.screened


def _finish_if_last(run_id: int) -> None:
    run = ImportRun.objects.select_for_update(no_key=True).get(pk=run_id)
    chunks = run.screening_chunks
    if chunks.filter(done_at__isnull=True).exists() or run.status != ImportRun.Status.DONE:
        return
    totals = chunks.aggregate(subjects=Sum("size"), screened=Sum("screened"), hits_changed=Sum("hits_changed"))
    record_event(actor=None, verb="import_run.screened", target=run, after={k: v or 0 for k, v in totals.items()})
