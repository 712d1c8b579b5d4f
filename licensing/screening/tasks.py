"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from typing import Any

from celery import shared_task
from django.conf import settings

from licensing.cases.models import LicenceApplication
from licensing.periodic import periodic_task

from .models import ListVersion, SubjectKind, SubjectScreening
from .services import imports, priority, rescreen, screening
from .subjects import MODELS, fingerprint_of, screened_on_its_own, subjects_of_kind
from .task_names import RESCREEN_BATCH, RUN_LIST_IMPORT, SCREEN_CHANGES_FIRST, START_RESCREEN

RETRYING: dict[str, Any] = {"bind": True, "autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 5}


@shared_task(name=RUN_LIST_IMPORT, bind=True)
def run_list_import(self, import_id: int):
    """Run a queued list import (a second run of the same import does nothing)."""
    return imports.run_import(import_id).status


@shared_task(name=START_RESCREEN, **RETRYING)
def start_rescreen(self, version_id: int | None = None):
    """Re-screen every subject after a list version came into force."""
    version = ListVersion.objects.filter(pk=version_id).first() if version_id else None
    return rescreen.start_rescreen(version=version).pk


@shared_task(name=SCREEN_CHANGES_FIRST, **RETRYING)
def screen_changes_first(self, version_id: int):
    """Screen the subjects a new version's changed entries could affect, before the full re-screen."""
    result = priority.screen_changes_first(version_id)
    return result.screened if result else None


@shared_task(name=RESCREEN_BATCH, **RETRYING)
def rescreen_batch(self, batch_id: int):
    """Screen one batch of a re-screen (a finished batch is skipped)."""
    return rescreen.run_batch(batch_id)


@shared_task(**RETRYING)
def screen_subject_task(self, kind: str, subject_id: int):
    """Screen one customer, person or party as it is now."""
    subject = MODELS[SubjectKind(kind)].objects.filter(pk=subject_id).first()
    if subject is None:
        return None
    result = screening.screen_subject(subject)
    return result.match_count if result else None


@shared_task(**RETRYING)
def screen_application_parties(self, application_id: int):
    """Screen the parties of an application that are not copies of a screened customer or person."""
    application = LicenceApplication.objects.filter(pk=application_id).first()
    if application is None:
        return 0
    parties = [p for p in application.parties.select_related("customer", "person") if screened_on_its_own(p)]
    for party in parties:
        screening.screen_subject(party)
    return len(parties)


@periodic_task(**RETRYING)
def screen_unscreened_subjects(self, limit: int = 1000):
    """Screen subjects never screened (a lost task, a record made in the admin) or screened under other names.

    A customer, person or party whose names or addresses changed since its
    last screening (an edit in the admin, an API change while the queue was
    down) is unscreened until screened again.
    """
    done = 0
    for kind in (SubjectKind.CUSTOMER, SubjectKind.PERSON, SubjectKind.PARTY):
        for subject in stale_subjects(kind):
            if done >= limit:
                return done
            if screening.screen_subject(subject) is None:
                return done
            done += 1
    return done


def stale_subjects(kind: str):
    """The subjects of a kind whose latest screening is missing or was of other names or addresses."""
    screened_as = dict(
        SubjectScreening.objects.filter(**{f"{kind}__isnull": False}).values_list(f"{kind}_id", "fingerprint")
    )
    for subject in subjects_of_kind(kind).order_by("pk").iterator(chunk_size=500):
        if kind == SubjectKind.PARTY and not screened_on_its_own(subject):
            continue
        if screened_as.get(subject.pk) != fingerprint_of(subject):
            yield subject


@periodic_task(**RETRYING)
def import_scheduled_lists(self):
    """Queue an import of each feed in SCREENING_SCHEDULED_SOURCES (for Celery beat); an unchanged list stays."""
    scheduled = getattr(settings, "SCREENING_SCHEDULED_SOURCES", {})
    queued = []
    for feed, sources in scheduled.items():
        queued.append(imports.request_import(actor=None, feed=feed, sources=dict(sources)).pk)
    return queued
