"""Screen everyone again after the lists changed, in batches that Celery workers take one at a time.

A re-screen is cut into batches of consecutive ids per kind of subject. Each
batch is screened in memory first; only subjects that match something, or
already have hits, touch their hits, inside one transaction per batch. A
batch marks itself done, so a retried or duplicated task skips it, and the
re-screen's progress is the share of its subjects in finished batches.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.audit.services import record_event
from licensing.outbox.services import enqueue

from ..loading import LoadedIndex, current_index
from ..matching.blocking import name_words
from ..matching.index import Match, Query
from ..models import Hit, ListVersion, Rescreen, RescreenBatch, Subject, SubjectKind, SubjectScreening
from ..subjects import MODELS, fingerprint_of, query_for, screened_on_its_own, subjects_of_kind
from ..task_names import RESCREEN_BATCH
from .screening import Affected, apply_matches

DEFAULT_BATCH_SIZE = 500


def batch_size() -> int:
    return int(getattr(settings, "SCREENING_RESCREEN_BATCH_SIZE", DEFAULT_BATCH_SIZE))


def start_rescreen(
    *, actor: User | None = None, version: ListVersion | None = None, reason: str = "", size: int | None = None
) -> Rescreen:
    """Cut every subject into batches and queue them; the batches run after commit."""
    size = size or batch_size()
    with transaction.atomic():
        rescreen = Rescreen.objects.create(
            version=version, reason=(reason or (f"{version} came into force" if version else "requested"))[:300]
        )
        batches = []
        for kind in SubjectKind.values:
            ids = list(MODELS[kind].objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), size):
                chunk = ids[start : start + size]
                batches.append(
                    RescreenBatch(rescreen=rescreen, kind=kind, first_id=chunk[0], last_id=chunk[-1], size=len(chunk))
                )
        RescreenBatch.objects.bulk_create(batches)
        rescreen.subjects = sum(b.size for b in batches)
        if not batches:
            rescreen.finished_at = timezone.now()
        rescreen.save(update_fields=["subjects", "finished_at"])
        record_event(
            actor=actor,
            verb="screening.rescreen_started",
            target=rescreen,
            reason=rescreen.reason,
            after={"version": version.pk if version else None, "subjects": rescreen.subjects, "batches": len(batches)},
        )
        batch_ids = list(rescreen.batches.values_list("pk", flat=True))
        _enqueue(batch_ids)
    return rescreen


def _enqueue(batch_ids: list[int]) -> None:
    for batch_id in batch_ids:
        enqueue(RESCREEN_BATCH, batch_id)


def run_batch(batch_id: int) -> int:
    """Screen one batch; return how many subjects' hits changed. A finished batch is skipped."""
    batch = RescreenBatch.objects.select_related("rescreen").get(pk=batch_id)
    if batch.done_at is not None:
        return 0
    loaded = current_index()
    field = batch.kind
    subjects = list(subjects_of_kind(batch.kind).filter(pk__gte=batch.first_id, pk__lte=batch.last_id).order_by("pk"))
    if batch.kind == SubjectKind.PARTY:
        subjects = [s for s in subjects if screened_on_its_own(s)]
    # The matching is the slow part and needs no database: done before the transaction.
    screened = screen_in_memory(subjects, loaded)
    with transaction.atomic():
        locked = RescreenBatch.objects.select_for_update(no_key=True).get(pk=batch_id)
        if locked.done_at is not None:
            return 0
        now = timezone.now()
        changed = record_screened(field, screened, loaded, now, target=locked)
        locked.done_at = now
        locked.hits_changed = changed
        locked.save(update_fields=["done_at", "hits_changed"])
        _finish_if_last(locked.rescreen_id, now)
    return locked.hits_changed


def screen_in_memory(subjects: list[Subject], loaded: LoadedIndex) -> list["Screened"]:
    """Match subjects of one kind against the index, without touching the database."""
    return [(subject, *_screen(subject, loaded)) for subject in subjects] if loaded.versions else []


def record_screened(
    field: str, screened: list["Screened"], loaded: LoadedIndex, now: datetime.datetime, *, target: models.Model
) -> int:
    """In the caller's transaction, record screenings and hits as `screen_subject` would; return how many changed.

    Which subjects' decisions changed is recorded against `target`, so the
    reactions decide their waiting transactions again after commit.
    """
    affected = Affected()
    ids = [subject.pk for subject, _, _ in screened]
    hits: dict[int, dict[str, Hit]] = {}
    for hit in Hit.objects.filter(**{f"{field}_id__in": ids}).select_related("entry"):
        hits.setdefault(getattr(hit, f"{field}_id"), {})[hit.entry_key] = hit
    # Only subjects with something to record take a row lock; the rest just get their screening stamp.
    touched = [s for s, _, matches in screened if matches or s.pk in hits]
    model = MODELS[SubjectKind(field)]
    list(model.objects.select_for_update(no_key=True).filter(pk__in=[s.pk for s in touched]).values_list("pk"))
    changed = 0
    for subject, _, matches in screened:
        if matches or subject.pk in hits:
            if apply_matches(subject, matches, hits.get(subject.pk, {}), loaded, now):
                affected.add(subject)
                changed += 1
    _stamp(field, screened, loaded, now, affected)
    affected.record(target=target)
    return changed


# A subject, the query its names and addresses make, and the entries it matched.
Screened = tuple[Subject, Query, list[Match]]


def _screen(subject: Subject, loaded: LoadedIndex) -> tuple[Query, list[Match]]:
    query = query_for(subject)
    return query, loaded.search(query)


def _stamp(
    field: str, screened: list[Screened], loaded: LoadedIndex, now: datetime.datetime, affected: Affected
) -> None:
    previous = dict(
        SubjectScreening.objects.filter(**{f"{field}_id__in": [x[0].pk for x in screened]}).values_list(
            f"{field}_id", "fingerprint"
        )
    )
    rows = []
    for subject, query, matches in screened:
        screened_as = fingerprint_of(subject)
        # A first screening, or one of changed names or addresses, releases holds that waited for it.
        if previous.get(subject.pk) != screened_as:
            affected.add(subject)
        rows.append(
            SubjectScreening(
                **{field: subject},
                screened_at=now,
                names=list(query.names),
                versions=loaded.version_ids,
                match_count=len(matches),
                fingerprint=screened_as,
                name_words=name_words(query.names),
            )
        )
    # One insert-or-update for the batch: an update of 500 rows by primary key
    # (bulk_update) is a CASE per column per row, and was a third of a re-screen's time.
    SubjectScreening.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=[field],
        update_fields=["screened_at", "names", "versions", "match_count", "fingerprint", "name_words"],
    )


def _finish_if_last(rescreen_id: int, now: datetime.datetime) -> None:
    rescreen = Rescreen.objects.select_for_update(no_key=True).get(pk=rescreen_id)
    if rescreen.finished_at is None and not rescreen.batches.filter(done_at__isnull=True).exists():
        rescreen.finished_at = now
        rescreen.save(update_fields=["finished_at"])
        changed = sum(rescreen.batches.values_list("hits_changed", flat=True))
        record_event(
            actor=None,
            verb="screening.rescreen_finished",
            target=rescreen,
            after={
                "subjects": rescreen.subjects,
                "subjects_with_changed_hits": changed,
                "version": rescreen.version_id,
            },
        )
