from django.db import migrations

from licensing.beat import Entry, install_from_migration

SCHEDULE = (
    Entry(
        "Filings: refresh retention dates",
        "licensing.filings.tasks.refresh_retention_dates",
        minute="15",
        hour="2",
        description="Recomputes each case's destroy-after date from its exports, transfers and end (15 CFR 762.6).",
    ),
    Entry(
        "Filings: queue stalled renders again",
        "licensing.filings.tasks.requeue_stalled_filings",
        minute="*/10",
        hour="*",
        description="Filings queued more than 15 minutes ago whose render never reached a worker are queued again.",
    ),
)


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entries: an administrator may have changed them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
