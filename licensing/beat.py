"""Periodic tasks kept in beat's database schedule (django-celery-beat).

Beat runs with `--scheduler django_celery_beat.schedulers:DatabaseScheduler`,
so each app installs its entries from a migration, once; administrators may
then move their times in the admin without a deployment, and a later
install leaves the entries they changed alone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    minute: str
    hour: str
    description: str
    # Set for work that runs every few seconds rather than at clock times (minute and hour are then unused).
    every_seconds: int | None = None
    # A run still waiting this long after it was due is dropped: the next one does the same work.
    expire_seconds: int | None = None


def install_schedule(
    entries, *, periodic_task_model, crontab_model, changes_model, timezone_name: str, now, interval_model=None
) -> None:
    """Create the entries that are missing; entries an administrator changed are left as they are."""
    created = False
    for entry in entries:
        if periodic_task_model.objects.filter(name=entry.name).exists():
            continue
        if entry.every_seconds is not None:
            interval, _ = interval_model.objects.get_or_create(every=entry.every_seconds, period="seconds")
            when = {"interval": interval}
        else:
            crontab, _ = crontab_model.objects.get_or_create(
                minute=entry.minute,
                hour=entry.hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=timezone_name,
            )
            when = {"crontab": crontab}
        periodic_task_model.objects.create(
            name=entry.name,
            task=entry.task,
            description=entry.description,
            expire_seconds=entry.expire_seconds,
            **when,
        )
        created = True
    if created:
        # A running beat reloads its schedule when this stamp moves.
        changes_model.objects.update_or_create(ident=1, defaults={"last_update": now})


def install_from_migration(apps, entries) -> None:
    """Install `entries` with the models as the migration's state has them."""
    install_schedule(
        entries,
        periodic_task_model=apps.get_model("django_celery_beat", "PeriodicTask"),
        crontab_model=apps.get_model("django_celery_beat", "CrontabSchedule"),
        interval_model=apps.get_model("django_celery_beat", "IntervalSchedule"),
        changes_model=apps.get_model("django_celery_beat", "PeriodicTasks"),
        timezone_name=settings.TIME_ZONE,
        now=timezone.now(),
    )
