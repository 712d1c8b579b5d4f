"""What filings and export packages share: a file made once by a background task, then handed over.

A Filing (its PDF) and an ExportPackage (its ZIP) are each queued, made by a
Celery task, and end READY with their file or FAILED with an error. A task
may be delivered more than once, so the first file recorded stands and any
later one is removed.
"""

import logging
from collections.abc import Callable
from typing import BinaryIO

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

from licensing.audit.services import record_event
from licensing.outbox import services as outbox

from .. import storage
from ..models import ExportPackage, Filing

logger = logging.getLogger(__name__)


def enqueue(task: Task | str, *, model: type[Filing] | type[ExportPackage], record_id: int) -> None:
    """Send the task that makes the record's file; if the broker is away, leave the record queued saying why."""
    try:
        outbox.enqueue(task, record_id)
    except OperationalError as error:
        # The request has committed; the record stays queued and shows the
        # problem until it is queued again once the broker answers.
        logger.exception("could not queue %s %s", model._meta.verbose_name, record_id)
        model.objects.filter(pk=record_id, status=model.Status.QUEUED).update(
            error=f"Could not reach the task queue: {error}"
        )


def publish_once(
    *,
    model: type[Filing] | type[ExportPackage],
    record_id: int,
    directory: str,
    stem: str,
    suffix: str,
    write: Callable[[BinaryIO], object],
    ready: Callable[[str], tuple[dict, dict]],
    verb: str,
):
    """Write the record's file and mark the record READY with it, unless another delivery of the task already has.

    `write(handle)` writes the file. `ready(name)` runs once the file is
    stored and returns the fields to save beside status and file, and the
    event's `after`. If anything fails, the new file is removed again.
    """
    name = ""
    try:
        name = storage.publish(directory, stem, suffix, write)
        fields, after = ready(name)
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=record_id)
            if locked.status == model.Status.READY:
                # Another delivery of the task finished first; its file stands.
                storage.remove(name)
                return locked
            model.objects.filter(pk=record_id).update(status=model.Status.READY, file=name, **fields)
            record_event(actor=None, verb=verb, target=locked, after=after)
    except Exception:
        storage.remove(name)
        raise
    return model.objects.get(pk=record_id)


def open_logged(record, *, actor, verb: str) -> BinaryIO:
    """Open the record's stored file for reading and record who took it."""
    handle = storage.media_path(record.file.name).open("rb")
    record_event(actor=actor, verb=verb, target=record, after={"sha256": record.sha256})
    return handle
