from django.db import migrations

from licensing.beat import Entry, install_from_migration

SCHEDULE = (
    Entry(
        "Outbox: send waiting tasks",
        "licensing.outbox.tasks.relay_outbox",
        minute="",
        hour="",
        description="Sends the follow-up tasks a request could not hand to the broker, oldest first.",
        every_seconds=5,
        # A run still queued after this long is dropped: the next run sends the same rows.
        expire_seconds=30,
    ),
)


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entry: an administrator may have changed it.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
