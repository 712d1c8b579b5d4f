"""How long an uploaded file of the customer book is kept: only while its import may still need it.

The rows a file held are written to the parties, with an event per chunk
naming them, and the run keeps the file's SHA-256, its name, size and
dry-run report; after that the file itself (names, e-mail addresses and
dates of birth of every seat) is one more copy of personal data. A file is
needed while its run may be started (a dry run not yet imported) or resumed
(a failed run), and while it is queued or running. Once its run has been
finished, or left unstarted, for `IMPORT_FILE_RETENTION_DAYS` (30 by
default), the daily task deletes it and records that it did; starting such
a run afterwards asks for the file again.
"""

import datetime
import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from licensing.audit.services import record_event

from ..models import ImportRun

DEFAULT_RETENTION_DAYS = 30

# A run in these states reads its file now or soon: it is never deleted under it.
IN_USE = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)


def retention_days() -> int:
    """Days an imported file is kept after its run finished (or was checked and left), from the settings."""
    value = getattr(settings, "IMPORT_FILE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"IMPORT_FILE_RETENTION_DAYS={value!r} must be a whole number of days, at least 1")
    return value


def files_past_retention(now: datetime.datetime, days: int):
    """The runs whose file is still kept though its retention has ended."""
    cutoff = now - datetime.timedelta(days=days)
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    return (
        ImportRun.objects.exclude(file="")
        .filter(file_deleted_at__isnull=True)
        .exclude(status__in=IN_USE)
        .filter(ended)
        .order_by("pk")
    )


def delete_files_past_retention(*, now: datetime.datetime | None = None) -> int:
    """Delete the imported files whose retention has ended, each with its event; return how many."""
    now = now or timezone.now()
    days = retention_days()
    deleted = 0
    for run_id in list(files_past_retention(now, days).values_list("pk", flat=True)):
        with transaction.atomic():
            # Locked and checked again: an officer may have started the run meanwhile.
            run = files_past_retention(now, days).select_for_update(no_key=True).filter(pk=run_id).first()
            if run is None:
                continue
            stored, storage = run.file.name, run.file.storage
            run.file = ""
            run.file_deleted_at = now
            run.save(update_fields=["file", "file_deleted_at"])
            record_event(
                actor=None,
                verb="import_run.file_deleted",
                target=run,
                after={"name": run.original_name, "sha256": run.sha256, "size": run.size, "retention_days": days},
            )
            # After commit: a rolled-back deletion keeps its file.
            transaction.on_commit(functools.partial(storage.delete, stored))
        deleted += 1
    return deleted
