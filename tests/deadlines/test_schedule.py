"""The beat schedule lives in the database, and each entry names a real task."""

from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

from licensing.beat import install_schedule
from licensing.celery import app as celery_app
from licensing.deadlines import tasks  # noqa: F401 - registers the tasks the schedule names
from licensing.deadlines.schedule import SCHEDULE


def install():
    install_schedule(
        SCHEDULE,
        periodic_task_model=PeriodicTask,
        crontab_model=CrontabSchedule,
        changes_model=PeriodicTasks,
        timezone_name="America/New_York",
        now=timezone.now(),
    )


def test_installing_the_schedule_twice_leaves_one_entry_each(db):
    PeriodicTask.objects.all().delete()
    install()
    install()
    entries = PeriodicTask.objects.filter(name__in=[entry.name for entry in SCHEDULE])
    assert entries.count() == len(SCHEDULE)
    for entry in entries:
        assert entry.task in celery_app.tasks
        assert entry.enabled and entry.crontab is not None
    reminders = entries.get(task="licensing.deadlines.tasks.send_due_reminders")
    assert (reminders.crontab.minute, reminders.crontab.hour, str(reminders.crontab.timezone)) == (
        "5",
        "*",
        "America/New_York",
    )


def test_an_entry_an_administrator_moved_is_left_as_it_is(db):
    PeriodicTask.objects.all().delete()
    install()
    digest = PeriodicTask.objects.get(task="licensing.deadlines.tasks.send_daily_digests")
    digest.crontab = CrontabSchedule.objects.create(minute="30", hour="6", timezone="America/New_York")
    digest.save()
    install()
    digest.refresh_from_db()
    assert (digest.crontab.minute, digest.crontab.hour) == ("30", "6")
