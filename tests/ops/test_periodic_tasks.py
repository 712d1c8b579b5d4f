"""Every task that runs on a schedule is in beat's schedule, installed by a migration, and nothing else is."""

import pytest
from django.apps import apps as installed_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django_celery_beat.models import PeriodicTask

from licensing.celery import app


def _periodic_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name, task in app.tasks.items() if name.startswith("licensing.") and getattr(task, "periodic", 0)}


@pytest.fixture
def beat_schedule_as_migrated(db):
    """Beat's entries as the migrations install them (a transactional test's flush may have emptied the table)."""
    PeriodicTask.objects.filter(task__startswith="licensing.").delete()
    loader = MigrationLoader(connection)
    for (app_label, _), migration in sorted(loader.disk_migrations.items()):
        if not app_label or not migration.__module__.startswith("licensing."):
            continue
        if not any(word in migration.name for word in ("beat", "schedule", "periodic")):
            continue
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                operation.code(installed_apps, None)
    return set(PeriodicTask.objects.filter(task__startswith="licensing.").values_list("task", flat=True))


def test_every_periodic_task_is_scheduled_by_the_migrations_and_every_entry_names_one(beat_schedule_as_migrated):
    claimed = _periodic_tasks()
    scheduled = beat_schedule_as_migrated

    assert "licensing.cases.tasks.expire_lapsed_licences" in claimed
    assert claimed - scheduled == set(), "periodic tasks no migration schedules"
    assert scheduled - claimed == set(), "beat entries naming a task that does not say it is periodic"


def test_scheduled_entries_are_enabled_and_run_the_registered_task(beat_schedule_as_migrated):
    registered = set(app.tasks)
    for entry in PeriodicTask.objects.filter(task__startswith="licensing."):
        assert entry.enabled, entry.name
        assert entry.task in registered, entry.name
