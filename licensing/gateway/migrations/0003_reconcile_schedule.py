from django.db import migrations

from licensing.beat import Entry, install_from_migration

SCHEDULE = (
    Entry(
        "Gateway: reconcile metered usage",
        "licensing.gateway.tasks.reconcile_metered_usage",
        minute="",
        hour="",
        description="Copies what Redis counted of each metered licence's model calls and tokens into PostgreSQL.",
        every_seconds=60,
        # A run still queued after this long is dropped: the next run copies the same counts.
        expire_seconds=55,
    ),
)


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("gateway", "0002_metered_usage"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entry: an administrator may have changed it.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
