from django.conf import settings
from django.db import migrations
from django.utils import timezone

# Beat reads its schedule from the database; administrators may move these times in the admin.
SCHEDULE = (
    (
        "Filings: refresh retention dates",
        "licensing.filings.tasks.refresh_retention_dates",
        {"minute": "15", "hour": "2"},
        "Recomputes each case's destroy-after date from its exports, transfers and end (15 CFR 762.6).",
    ),
    (
        "Filings: queue stalled renders again",
        "licensing.filings.tasks.requeue_stalled_filings",
        {"minute": "*/10", "hour": "*"},
        "Filings queued more than 15 minutes ago whose render never reached a worker are queued again.",
    ),
)


def install(apps, schema_editor):
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab_schedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    changes = apps.get_model("django_celery_beat", "PeriodicTasks")
    created = False
    for name, task, times, description in SCHEDULE:
        if periodic_task.objects.filter(name=name).exists():
            continue
        crontab, _ = crontab_schedule.objects.get_or_create(
            day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE, **times
        )
        periodic_task.objects.create(name=name, task=task, crontab=crontab, description=description)
        created = True
    if created:
        # A running beat reloads its schedule when this stamp moves.
        changes.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entries: an administrator may have changed them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
