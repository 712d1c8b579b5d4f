from django.db import migrations

from licensing.reference import loading


def load(apps, schema_editor):
    loading.load(
        apps.get_model("reference", "Country"),
        apps.get_model("reference", "CountryGroup"),
        apps.get_model("reference", "CountryGroupMembership"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
