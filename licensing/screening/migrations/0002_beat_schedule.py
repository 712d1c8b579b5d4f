from django.db import migrations

from licensing.beat import Entry, install_from_migration

SCHEDULE = (
    Entry(
        "Screening: import the scheduled lists",
        "licensing.screening.tasks.import_scheduled_lists",
        # trade.gov publishes the CSL once a day; an unchanged list changes nothing.
        minute="15",
        hour="5",
        description="Imports the lists SCREENING_CSL_SOURCE and SCREENING_OFAC_*_SOURCE name; none set, none imported.",
    ),
    Entry(
        "Screening: screen unscreened subjects",
        "licensing.screening.tasks.screen_unscreened_subjects",
        minute="20",
        hour="*",
        description="Screens subjects whose screening task was lost, or that were made in the admin.",
    ),
)


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entries: an administrator may have changed them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
