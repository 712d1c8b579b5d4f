"""Schedule the API's periodic work in the database beat schedule."""

from django.conf import settings
from django.db import migrations

TASKS = (
    # (name, task, crontab fields)
    (
        "Webhooks: announce licences about to expire",
        "licensing.api.tasks.announce_licences_expiring",
        {"minute": "0", "hour": "6"},
    ),
    (
        "Webhooks: queue deliveries the broker missed",
        "licensing.api.tasks.send_pending_webhooks",
        {"minute": "*/5", "hour": "*"},
    ),
)


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, fields in TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.CELERY_TIMEZONE, **fields
        )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
