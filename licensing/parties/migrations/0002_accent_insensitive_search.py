"""Accent-insensitive name search on PostgreSQL: unaccent and pg_trgm, a fold function, and trigram indexes.

Nothing happens on SQLite: the fold is a Python function there (licensing.parties.search).
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# unaccent() is only stable (its dictionary could change); the fold names the dictionary, which
# makes it safe to declare immutable, as an index needs. The function and the dictionary are named
# with the extension's schema: pg_restore builds the index with an empty search_path.
FOLD = """
CREATE OR REPLACE FUNCTION exportdesk_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT pg_catalog.lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$;
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS parties_person_folded_name_trgm
    ON parties_person USING gin (exportdesk_fold((given_name || ' ' || family_name)) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS parties_customer_folded_name_trgm
    ON parties_customer USING gin (exportdesk_fold(legal_name) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS parties_person_folded_name_trgm;
DROP INDEX IF EXISTS parties_customer_folded_name_trgm;
DROP FUNCTION IF EXISTS exportdesk_fold(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
            (schema,) = cursor.fetchone()
        schema_editor.execute(FOLD.format(schema=schema))
        schema_editor.execute(INDEXES)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [
        # Each creates its extension on PostgreSQL only.
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
