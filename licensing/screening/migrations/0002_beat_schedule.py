from django.conf import settings
from django.db import migrations
from django.utils import timezone

# Beat reads its schedule from the database; administrators may move these times in the admin.
SCHEDULE = (
    (
        "Screening: import the scheduled lists",
        "licensing.screening.tasks.import_scheduled_lists",
        # trade.gov publishes the CSL once a day; an unchanged list changes nothing.
        {"minute": "15", "hour": "5"},
        "Imports the lists named by SCREENING_CSL_SOURCE and SCREENING_OFAC_*_SOURCE; none set, nothing happens.",
    ),
    (
        "Screening: screen unscreened subjects",
        "licensing.screening.tasks.screen_unscreened_subjects",
        {"minute": "20", "hour": "*"},
        "Screens customers, persons and parties whose screening task was lost or that were made in the admin.",
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
        ("screening", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entries: an administrator may have changed them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
