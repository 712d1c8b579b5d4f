from django.db import migrations

from licensing.audit.schedule import SCHEDULE
from licensing.beat import install_from_migration


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_event_api_token"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entry: an administrator may have changed it.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
