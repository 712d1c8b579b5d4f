"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from licensing.periodic import periodic_task

from .services.imports import run_import as import_in_chunks
from .services.retention import delete_files_past_retention
from .services.screening import screen_import_chunk
from .task_names import RUN_IMPORT, SCREEN_IMPORTED


@shared_task(name=RUN_IMPORT, bind=True, acks_late=True)
def run_import(self, run_id: int):
    """Import a queued file, resuming after its last committed chunk (a finished run is left as it is)."""
    return import_in_chunks(run_id).status


@shared_task(name=SCREEN_IMPORTED, bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def screen_imported_chunk(self, chunk_id: int):
    """Screen one chunk of the customers or seats an import created or changed (a finished chunk is skipped)."""
    return screen_import_chunk(chunk_id)


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def delete_imported_files_past_retention(self):
    """Delete uploaded files of the customer book whose retention has ended (the runs keep their hash)."""
    return delete_files_past_retention()
