"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from .services.imports import run_import as import_in_chunks
from .task_names import RUN_IMPORT


@shared_task(name=RUN_IMPORT, bind=True, acks_late=True)
def run_import(self, run_id: int):
    """Import a queued file, resuming after its last committed chunk (a finished run is left as it is)."""
    return import_in_chunks(run_id).status
