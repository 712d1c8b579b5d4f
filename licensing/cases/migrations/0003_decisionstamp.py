"""Decision stamps: the database versions everything a customer's decisions read (see DecisionStamp).

The triggers are PostgreSQL's; SQLite gets the table alone, so nothing is
ever stamped there and nothing is reused.

A customer's stamp is written by a deferred constraint trigger, at commit,
after every other lock the transaction takes: two transactions about the
same customer then wait for each other only while committing, never in an
order that could deadlock them. Reference data is rarely written, by
administrators and imports, so one statement trigger per table versions it.
"""

# The SQL is composed from this migration's own constants; no input reaches it.
# ruff: noqa: S608

from django.db import migrations, models

# Each table a customer's decisions read, with the column naming its customer
# and, where that may be empty, the column naming a person whose customer it is.
CUSTOMER_TABLES = {
    "parties_customer": ("id", None),
    "parties_person": ("customer_id", None),
    "determinations_foreignpersondetermination": ("customer_id", "person_id"),
    "cases_licenceapplication": ("customer_id", None),
    "cases_licence": ("customer_id", None),
    "screening_subjectscreening": ("customer_id", "person_id"),
    "screening_hit": ("customer_id", "person_id"),
}
REFERENCE_TABLES = [
    "reference_controlleditem",
    "reference_countrygroupmembership",
    "reference_licencerequirement",
    "reference_licencerequirement_items",
    "reference_licencerequirement_country_groups",
    "screening_listversion",
    "screening_listentry",
]
REFERENCE_DATA = 0

FUNCTIONS = f"""
CREATE SEQUENCE exportdesk_decision_stamp_version;

CREATE FUNCTION exportdesk_stamp(customer bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cases_decisionstamp (customer_id, version)
    VALUES (customer, nextval('exportdesk_decision_stamp_version'))
    ON CONFLICT (customer_id) DO UPDATE SET version = EXCLUDED.version
$$;

-- A row changed: stamp its customer, before and after the change. TG_ARGV[0]
-- names the row's customer column; TG_ARGV[1], if given, a person column to
-- follow when the customer column is empty.
CREATE FUNCTION exportdesk_stamp_customer_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    versions jsonb[];
    row_values jsonb;
    customer bigint;
    stamped bigint[] := '{{}}';
BEGIN
    versions := CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[to_jsonb(NEW)]
        WHEN 'DELETE' THEN ARRAY[to_jsonb(OLD)]
        ELSE ARRAY[to_jsonb(OLD), to_jsonb(NEW)]
    END;
    FOREACH row_values IN ARRAY versions LOOP
        customer := (row_values ->> TG_ARGV[0])::bigint;
        IF customer IS NULL AND TG_NARGS > 1 THEN
            SELECT p.customer_id INTO customer FROM parties_person p WHERE p.id = (row_values ->> TG_ARGV[1])::bigint;
        END IF;
        IF customer IS NOT NULL AND NOT customer = ANY (stamped) THEN
            PERFORM exportdesk_stamp(customer);
            stamped := stamped || customer;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION exportdesk_stamp_reference_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM exportdesk_stamp({REFERENCE_DATA});
    RETURN NULL;
END
$$;
"""


def _triggers() -> str:
    statements = []
    for table, (customer_column, person_column) in CUSTOMER_TABLES.items():
        arguments = f"'{customer_column}'" + (f", '{person_column}'" if person_column else "")
        statements.append(
            f"CREATE CONSTRAINT TRIGGER exportdesk_stamp_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION exportdesk_stamp_customer_of_row({arguments});"
        )
        # Emptying a table changes every customer: a new reference version stands for all of them.
        statements.append(
            f"CREATE TRIGGER exportdesk_stamp_{table}_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION exportdesk_stamp_reference_data();"
        )
    for table in REFERENCE_TABLES:
        statements.append(
            f"CREATE TRIGGER exportdesk_stamp_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION exportdesk_stamp_reference_data();"
        )
    return "\n".join(statements)


BACKFILL = f"""
SELECT exportdesk_stamp({REFERENCE_DATA});
INSERT INTO cases_decisionstamp (customer_id, version)
SELECT id, nextval('exportdesk_decision_stamp_version') FROM parties_customer;
"""

REMOVE = """
DROP FUNCTION exportdesk_stamp_customer_of_row() CASCADE;
DROP FUNCTION exportdesk_stamp_reference_data() CASCADE;
DROP FUNCTION exportdesk_stamp(bigint);
DROP SEQUENCE exportdesk_decision_stamp_version;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the functions' bodies are sent as they are.
        schema_editor.execute(FUNCTIONS + _triggers() + BACKFILL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_licenceusage"),
        ("parties", "0001_initial"),
        ("determinations", "0001_initial"),
        ("screening", "0002_beat_schedule"),
        ("reference", "0002_load_reference_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="DecisionStamp",
            fields=[
                ("customer_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
