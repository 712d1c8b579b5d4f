from django.db import migrations

from licensing.audit.schedule import SEALER_SCHEDULE
from licensing.beat import install_from_migration


def install(apps, schema_editor):
    install_from_migration(apps, SEALER_SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_sealer"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entry: an administrator may have changed it.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
