"""An uploaded file of the customer book is kept only while its import may need it; the run keeps its hash."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from licensing.audit.models import Event
from licensing.restoration.models import ImportRun
from licensing.restoration.services.imports import create_import_run, start_import_run
from licensing.restoration.services.retention import delete_files_past_retention
from licensing.restoration.tasks import delete_imported_files_past_retention

from .intake_files import CUSTOMERS, upload

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=31)


@pytest.fixture
def imported(officer, django_capture_on_commit_callbacks) -> ImportRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = create_import_run(actor=officer, kind="customers", upload=upload(CUSTOMERS), dry_run=False)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    return run


def test_the_uploaded_file_is_kept_with_its_sha256(imported):
    assert imported.sha256 == hashlib.sha256(CUSTOMERS.encode()).hexdigest()
    with imported.file.open("rb") as stored:
        assert stored.read() == CUSTOMERS.encode()


def test_a_finished_imports_file_is_deleted_after_its_retention_and_the_run_keeps_its_hash(
    imported, django_capture_on_commit_callbacks
):
    stored, storage = imported.file.name, imported.file.storage
    assert delete_files_past_retention(now=timezone.now()) == 0
    assert storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_files_past_retention(now=timezone.now() + LATER) == 1

    imported.refresh_from_db()
    assert not imported.file and imported.file_deleted_at is not None
    assert not storage.exists(stored)
    assert len(imported.sha256) == 64
    event = Event.objects.get(verb="import_run.file_deleted")
    assert event.after == {"name": "book.csv", "sha256": imported.sha256, "size": imported.size, "retention_days": 30}
    # Once is enough: nothing is left to delete.
    assert delete_files_past_retention(now=timezone.now() + LATER) == 0


def test_a_dry_run_left_unstarted_loses_its_file_and_then_asks_for_it_again(officer):
    checked = create_import_run(actor=officer, kind="customers", upload=upload(CUSTOMERS), dry_run=True)
    assert checked.status == ImportRun.Status.CHECKED
    assert delete_files_past_retention(now=timezone.now() + LATER) == 1
    checked.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        start_import_run(actor=officer, run=checked)
    assert "retention ended; upload the file again" in refused.value.message_dict["file"][0]


@pytest.mark.parametrize("status", [ImportRun.Status.QUEUED, ImportRun.Status.RUNNING])
def test_a_file_an_import_is_reading_is_never_deleted(officer, status):
    run = create_import_run(actor=officer, kind="customers", upload=upload(CUSTOMERS), dry_run=True)
    ImportRun.objects.filter(pk=run.pk).update(status=status)
    assert delete_files_past_retention(now=timezone.now() + datetime.timedelta(days=3650)) == 0
    run.refresh_from_db()
    assert run.file and run.file_deleted_at is None


def test_the_retention_is_a_setting(imported, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 90
    assert delete_files_past_retention(now=timezone.now() + LATER) == 0
    assert delete_files_past_retention(now=timezone.now() + datetime.timedelta(days=91)) == 1


@pytest.mark.parametrize("value", [0, -1, "30", True])
def test_a_malformed_retention_is_refused_naming_the_setting(imported, settings, value):
    settings.IMPORT_FILE_RETENTION_DAYS = value
    with pytest.raises(ImproperlyConfigured, match="IMPORT_FILE_RETENTION_DAYS"):
        delete_files_past_retention(now=timezone.now() + LATER)
    imported.refresh_from_db()
    assert imported.file


def test_beat_runs_the_deletion_daily(imported):
    assert delete_imported_files_past_retention.apply().get() == 0
    assert delete_imported_files_past_retention.periodic
