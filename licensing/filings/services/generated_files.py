"""What filings and export packages share: a file made once by a background task, then handed over.

A Filing (its PDF) and an ExportPackage (its ZIP) are each queued, made by a
Celery task, and end READY with their file or FAILED with an error. A task
may be delivered more than once, so the first file recorded stands and any
later one is removed.
"""

import logging
from collections.abc import Callable, Mapping
from typing import BinaryIO, TypeVar

from django.db import transaction
from kombu.exceptions import OperationalError

from licensing.accounts.models import User
from licensing.audit.services import record_event
from licensing.outbox import services as outbox

from .. import storage
from ..models import ExportPackage, Filing

logger = logging.getLogger(__name__)

# A record whose file a task makes: a filing or an export package.
Made = TypeVar("Made", Filing, ExportPackage)


def enqueue(task: outbox.AnyTask | str, *, model: type[Filing] | type[ExportPackage], record_id: int) -> None:
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
    model: type[Made],
    record_id: int,
    directory: str,
    stem: str,
    suffix: str,
    write: Callable[[BinaryIO], object],
    ready: Callable[[str], tuple[Mapping[str, object], Mapping[str, object]]],
    verb: str,
) -> Made:
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
            locked = model.objects.select_for_update(no_key=True).get(pk=record_id)
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


def open_logged(record: Filing | ExportPackage, *, actor: User | None, verb: str) -> BinaryIO:
    """Open the record's stored file for reading and record who took it."""
    name = record.file.name
    # Only a ready record is opened, and a ready record names its stored file.
    assert name is not None, f"{record} has no stored file"
    handle = storage.media_path(name).open("rb")
    record_event(actor=actor, verb=verb, target=record, after={"sha256": record.sha256})
    return handle
