"""Every task that runs on a schedule is in beat's schedule, installed by a migration, and nothing else is."""

from django_celery_beat.models import PeriodicTask

from licensing.celery import app


def _periodic_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name, task in app.tasks.items() if name.startswith("licensing.") and getattr(task, "periodic", 0)}


def test_every_periodic_task_is_scheduled_by_the_migrations_and_every_entry_names_one(db):
    claimed = _periodic_tasks()
    scheduled = set(PeriodicTask.objects.filter(task__startswith="licensing.").values_list("task", flat=True))

    assert "licensing.cases.tasks.expire_lapsed_licences" in claimed
    assert claimed - scheduled == set(), "periodic tasks no migration schedules"
    assert scheduled - claimed == set(), "beat entries naming a task that does not say it is periodic"


def test_scheduled_entries_are_enabled_and_run_the_registered_task(db):
    registered = set(app.tasks)
    for entry in PeriodicTask.objects.filter(task__startswith="licensing."):
        assert entry.enabled, entry.name
        assert entry.task in registered, entry.name
