from django.db import migrations

from licensing.beat import install_from_migration
from licensing.restoration.schedule import SCHEDULE


def install(apps, schema_editor):
    install_from_migration(apps, SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("restoration", "0006_rule_set_v2_not_screened"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Reversing leaves the entries: an administrator may have changed them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
