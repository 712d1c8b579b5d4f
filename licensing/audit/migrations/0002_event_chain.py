from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    # The log starts empty in every installation that reaches this migration,
    # so the chain fields need no back-fill.
    operations = [
        migrations.AlterModelOptions(name="event", options={"ordering": ["sequence"]}),
        migrations.AddField(
            model_name="event",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event", name="previous_hash", field=models.CharField(max_length=64), preserve_default=False
        ),
        migrations.AddField(
            model_name="event", name="hash", field=models.CharField(max_length=64), preserve_default=False
        ),
    ]
