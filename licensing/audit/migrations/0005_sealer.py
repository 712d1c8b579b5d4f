from django.db import migrations, models


def create_sequence(apps, schema_editor):
    # SQLite allocates sequences in line (sealing.py); only PostgreSQL has writers side by side.
    if schema_editor.connection.vendor != "postgresql":
        return
    # Starts after the events written under the old lock, whose sequences are 1, 2, 3, ...
    schema_editor.execute("CREATE SEQUENCE audit_event_sequence AS bigint OWNED BY audit_event.sequence")
    schema_editor.execute(
        "SELECT setval('audit_event_sequence', COALESCE((SELECT MAX(sequence) FROM audit_event), 0) + 1, false)"
    )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS audit_event_sequence")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_beat_schedule")]

    # Events written before keep their links and hashes; events written from
    # now on are linked by the sealer after their transaction commits.
    operations = [
        migrations.AlterField(model_name="event", name="hash", field=models.CharField(blank=True, max_length=64)),
        migrations.AlterField(
            model_name="event", name="previous_hash", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(condition=models.Q(("hash", "")), fields=["sequence"], name="audit_event_unsealed"),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("hash", ""), ("previous_hash", "")))
                | models.Q(models.Q(("hash", ""), _negated=True), models.Q(("previous_hash", ""), _negated=True)),
                name="audit_event_sealed_whole",
                violation_error_message="An event is sealed with both its link and its hash, or with neither.",
            ),
        ),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
