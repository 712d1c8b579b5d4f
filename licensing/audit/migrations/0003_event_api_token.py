import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_periodic_tasks"),
        ("audit", "0002_event_chain"),
    ]

    # Existing events keep the field empty, and the hash leaves an empty field
    # out (chain.py), so the chain written before this migration still verifies.
    operations = [
        migrations.AddField(
            model_name="event",
            name="api_token",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="api.apitoken",
                verbose_name="API token",
            ),
        ),
    ]
