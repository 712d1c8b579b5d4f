from celery import shared_task

from .services.approval import approve_batch_entries, return_stopped_batch
from .services.preparation import prepare_batch
from .services.redecision import redecide_approved_entries


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def prepare_batch_task(self, batch_id: int):
    """Prepare a batch's determinations and draw its sample, carrying on where a stopped run left off."""
    return prepare_batch(batch_id).status


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def approve_batch_task(self, batch_id: int, first: int | None = None, last: int | None = None):
    """Approve an approved batch's determinations (those from `first` to `last`) one by one, idempotently."""
    return approve_batch_entries(batch_id, first=first, last=last).status


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def return_stopped_batch_task(self, batch_id: int):
    """Send a stopped batch's determinations back to their preparer, carrying on where a stopped run left off."""
    return return_stopped_batch(batch_id)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def redecide_batch_task(self, batch_id: int, first: int, last: int):
    """Decide again the waiting transactions of a chunk of a batch's approved subjects (entries first to last)."""
    return redecide_approved_entries(batch_id, first=first, last=last)
