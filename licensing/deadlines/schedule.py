"""The beat schedule of the deadline tasks, kept in the database (django-celery-beat).

Beat runs with `--scheduler django_celery_beat.schedulers:DatabaseScheduler`;
administrators may move these times in the admin without a deployment.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    minute: str
    hour: str
    description: str


SCHEDULE = (
    Entry(
        "Deadlines: send due reminders",
        "licensing.deadlines.tasks.send_due_reminders",
        minute="5",
        hour="*",
        description="Marks lapsed deadlines, claims each reminder once and e-mails it.",
    ),
    Entry(
        "Deadlines: daily digests",
        "licensing.deadlines.tasks.send_daily_digests",
        minute="0",
        hour="7",
        description="One e-mail a day to each user who chose the digest.",
    ),
    Entry(
        "Deadlines: nightly refresh",
        "licensing.deadlines.tasks.refresh_all_deadlines",
        minute="30",
        hour="1",
        description="Recomputes every live case, so stopped clocks and documents added without a move catch up.",
    ),
)


def install_schedule(*, periodic_task_model, crontab_model, changes_model, timezone_name: str, now) -> None:
    """Create the entries that are missing; entries an administrator changed are left as they are."""
    created = False
    for entry in SCHEDULE:
        if periodic_task_model.objects.filter(name=entry.name).exists():
            continue
        crontab, _ = crontab_model.objects.get_or_create(
            minute=entry.minute,
            hour=entry.hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=timezone_name,
        )
        periodic_task_model.objects.create(
            name=entry.name, task=entry.task, crontab=crontab, description=entry.description
        )
        created = True
    if created:
        # A running beat reloads its schedule when this stamp moves.
        changes_model.objects.update_or_create(ident=1, defaults={"last_update": now})
