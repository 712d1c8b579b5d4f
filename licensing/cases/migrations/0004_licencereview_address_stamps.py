"""Licence reviews opened by a confirmed list match; customer addresses change the customer's decision stamp.

The decision now compares a customer's names and addresses with what its
latest screening was of, so its statement reads the customer's addresses:
writing one must give the customer a new stamp, like every other table the
decision reads (migration 0003).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ADDRESS_TRIGGERS = """
CREATE CONSTRAINT TRIGGER exportdesk_stamp_parties_customeraddress
AFTER INSERT OR UPDATE OR DELETE ON parties_customeraddress
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
EXECUTE FUNCTION exportdesk_stamp_customer_of_row('customer_id');
CREATE TRIGGER exportdesk_stamp_parties_customeraddress_truncated AFTER TRUNCATE ON parties_customeraddress
FOR EACH STATEMENT EXECUTE FUNCTION exportdesk_stamp_reference_data();
"""

REMOVE_ADDRESS_TRIGGERS = """
DROP TRIGGER exportdesk_stamp_parties_customeraddress ON parties_customeraddress;
DROP TRIGGER exportdesk_stamp_parties_customeraddress_truncated ON parties_customeraddress;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADDRESS_TRIGGERS, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_ADDRESS_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_decisionstamp"),
        ("parties", "0001_initial"),
        ("screening", "0003_subjectscreening_fingerprint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LicenceReview",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField()),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=10),
                ),
                ("opened_at", models.DateTimeField(auto_now_add=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="screening.hit"
                    ),
                ),
                (
                    "licence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="reviews", to="cases.licence"
                    ),
                ),
            ],
            options={
                "ordering": ["-opened_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("licence", "hit"), name="one_review_per_licence_and_hit")
                ],
            },
        ),
        migrations.RunPython(install, remove),
    ]
