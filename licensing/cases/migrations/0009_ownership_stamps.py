"""The ownership rule's reads change decision stamps (see DecisionStamp, migration 0003).

The decision now reads a customer's owners up the chain, their hits and the
ownership rule's periods. So writing an ownership edge stamps the owned
customer and every customer below it, a hit (or a customer's name, quoted in
the reasons) stamps every customer the hit's customer owns, directly or
through others, and a period stamps the reference data: a remembered access
check answer cannot outlive any of them.
"""

# The SQL is composed from this migration's own constants; no input reaches it.
# ruff: noqa: S608

from django.db import migrations

# As deep as the decision reads owners (licensing.cases.facts.OWNERSHIP_DEPTH).
OWNERSHIP_DEPTH = 4

FUNCTION = f"""
-- A row changed: stamp the customers below the customer TG_ARGV[0] names, through
-- ownership edges; with TG_ARGV[1] = 'self', that customer too.
CREATE FUNCTION exportdesk_stamp_owned_customers_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    versions jsonb[];
    row_values jsonb;
    customer bigint;
    below bigint;
    stamped bigint[] := '{{}}';
BEGIN
    versions := CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[to_jsonb(NEW)]
        WHEN 'DELETE' THEN ARRAY[to_jsonb(OLD)]
        ELSE ARRAY[to_jsonb(OLD), to_jsonb(NEW)]
    END;
    FOREACH row_values IN ARRAY versions LOOP
        customer := (row_values ->> TG_ARGV[0])::bigint;
        CONTINUE WHEN customer IS NULL;
        IF TG_NARGS > 1 AND TG_ARGV[1] = 'self' AND NOT customer = ANY (stamped) THEN
            PERFORM exportdesk_stamp(customer);
            stamped := stamped || customer;
        END IF;
        FOR below IN
            WITH RECURSIVE owned (id, depth) AS (
                SELECT o.owned_id, 1 FROM parties_ownership o WHERE o.owner_id = customer
                UNION
                SELECT o.owned_id, u.depth + 1 FROM owned u JOIN parties_ownership o ON o.owner_id = u.id
                WHERE u.depth < {OWNERSHIP_DEPTH}
            )
            SELECT DISTINCT id FROM owned
        LOOP
            IF NOT below = ANY (stamped) THEN
                PERFORM exportdesk_stamp(below);
                stamped := stamped || below;
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END
$$;
"""


def _row_trigger(name: str, table: str, arguments: str) -> str:
    return (
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"EXECUTE FUNCTION exportdesk_stamp_owned_customers_of_row({arguments});"
    )


TRIGGERS = "\n".join(
    [
        _row_trigger("exportdesk_stamp_parties_ownership", "parties_ownership", "'owned_id', 'self'"),
        "CREATE TRIGGER exportdesk_stamp_parties_ownership_truncated AFTER TRUNCATE ON parties_ownership "
        "FOR EACH STATEMENT EXECUTE FUNCTION exportdesk_stamp_reference_data();",
        _row_trigger("exportdesk_stamp_screening_hit_owned", "screening_hit", "'customer_id'"),
        _row_trigger("exportdesk_stamp_parties_customer_owned", "parties_customer", "'id'"),
        "CREATE TRIGGER exportdesk_stamp_cases_ownershipruleperiod "
        "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cases_ownershipruleperiod "
        "FOR EACH STATEMENT EXECUTE FUNCTION exportdesk_stamp_reference_data();",
    ]
)

REMOVE = """
DROP TRIGGER exportdesk_stamp_cases_ownershipruleperiod ON cases_ownershipruleperiod;
DROP TRIGGER exportdesk_stamp_parties_ownership_truncated ON parties_ownership;
DROP FUNCTION exportdesk_stamp_owned_customers_of_row() CASCADE;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION + TRIGGERS, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_decision_basis_ownership_rule"),
        ("parties", "0001_initial"),
        ("screening", "0003_subjectscreening_fingerprint"),
    ]

    operations = [migrations.RunPython(install, remove)]
