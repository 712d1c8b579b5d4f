"""Celery tasks of the event log."""

import logging

from licensing.periodic import periodic_task

from .checkpoints import CheckpointRefused, take_checkpoint
from .sealing import SealingRefused, seal_events

logger = logging.getLogger(__name__)


# No retries: a refusal means the log no longer reaches its last checkpoint,
# which waiting will not mend; it needs a person.
@periodic_task()
def take_audit_checkpoint() -> int | None:
    """Checkpoint the event log's head (every quarter hour, by beat); nothing when it has not moved."""
    try:
        checkpoint = take_checkpoint()
    except CheckpointRefused as error:
        logger.error("audit checkpoint refused: %s; run manage.py verify_audit", error)
        raise
    return checkpoint.sequence if checkpoint else None


# No retries: the next run, seconds later, does the same work; a refusal needs a person.
@periodic_task()
def seal_event_log() -> int:
    """Link committed events into the hash chain (every few seconds, by beat); return how many were sealed."""
    try:
        return seal_events()
    except SealingRefused as error:
        logger.error("audit sealing refused: %s", error)
        raise
