from django.conf import settings
from django.db import migrations
from django.utils import timezone

from licensing.deadlines.schedule import install_schedule


def install(apps, schema_editor):
    install_schedule(
        periodic_task_model=apps.get_model("django_celery_beat", "PeriodicTask"),
        crontab_model=apps.get_model("django_celery_beat", "CrontabSchedule"),
        changes_model=apps.get_model("django_celery_beat", "PeriodicTasks"),
        timezone_name=settings.TIME_ZONE,
        now=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entries: an administrator may have changed them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
