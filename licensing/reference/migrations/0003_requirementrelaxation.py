"""Requirement relaxations: dated exceptions to a licence requirement, made by approved rule changes.

The decision reads them (licensing.cases.facts), so writing one gives the
reference data a new decision stamp, like every other table of the letters
(cases migration 0003).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("reference_requirementrelaxation", "reference_requirementrelaxation_customers")


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            f"CREATE TRIGGER exportdesk_stamp_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION exportdesk_stamp_reference_data();"
            for table in TABLES
        ]
        schema_editor.execute("\n".join(statements), params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [f"DROP TRIGGER exportdesk_stamp_{table} ON {table};" for table in TABLES]
        schema_editor.execute("\n".join(statements), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
        ("reference", "0002_load_reference_data"),
        # The stamping function the triggers call.
        ("cases", "0003_decisionstamp"),
    ]

    operations = [
        migrations.CreateModel(
            name="RequirementRelaxation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("country_group", "Destinations in a country group"),
                            ("customers", "Named trusted partners"),
                            ("item", "One item"),
                        ],
                        max_length=20,
                    ),
                ),
                ("effective_from", models.DateField()),
                (
                    "effective_until",
                    models.DateField(blank=True, help_text="Inclusive; empty while in force.", null=True),
                ),
                ("change_number", models.PositiveIntegerField(help_text="The number of the rule change that made it.")),
                (
                    "country_group",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="reference.countrygroup",
                    ),
                ),
                ("customers", models.ManyToManyField(blank=True, related_name="+", to="parties.customer")),
                (
                    "item",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="reference.controlleditem",
                    ),
                ),
                (
                    "requirement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="relaxations",
                        to="reference.licencerequirement",
                    ),
                ),
            ],
            options={
                "ordering": ["effective_from", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("country_group__isnull", False), ("item__isnull", True), ("kind", "country_group")
                            ),
                            models.Q(("country_group__isnull", True), ("item__isnull", True), ("kind", "customers")),
                            models.Q(("country_group__isnull", True), ("item__isnull", False), ("kind", "item")),
                            _connector="OR",
                        ),
                        name="relaxation_names_what_its_kind_needs",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("effective_until__isnull", True),
                            ("effective_until__gte", models.F("effective_from")),
                            _connector="OR",
                        ),
                        name="relaxation_ends_after_it_starts",
                    ),
                ],
            },
        ),
        migrations.RunPython(install, remove),
    ]
