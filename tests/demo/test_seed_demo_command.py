"""`make run`'s own steps, run twice against a database that persists between them.

Each step is a separate `manage.py` process with the environment `make run`
gives it, so what only happens when a transaction really commits (Celery
tasks run in-process after commit, re-deciding transactions and screening
subjects) happens here too; a test inside one rolled-back transaction never
sees it.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

CHECKOUT = Path(__file__).resolve().parents[2]

# Counts the rows of every table, printed as one JSON line.
COUNT_ROWS = """
import json
from django.db import connection
with connection.cursor() as cursor:
    counts = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute("SELECT count(*) FROM " + connection.ops.quote_name(table))
        counts[table] = cursor.fetchone()[0]
print(json.dumps(counts))
"""

pytestmark = pytest.mark.slow


def _environment(tmp_path, database_url: str) -> dict:
    env = dict(os.environ)
    # What `make run` has: the default settings, Celery in-process, its own var/ directory.
    for name in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EXPORTDESK_MEDIA_ROOT"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        EXPORTDESK_VAR_DIR=str(tmp_path / "var"),
        TECHNOLOGY_CONTROL_PLAN_REFERENCE="TCP-DEMO-2026-01",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    return env


def _manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"manage.py {' '.join(args)} exited {done.returncode}:\n{output}"
    assert "Traceback" not in output, output
    return done.stdout


def _row_counts(env) -> dict:
    return json.loads(_manage(env, "shell", "-v", "0", "-c", COUNT_ROWS).strip().splitlines()[-1])


def _logins(output: str) -> list[str]:
    return [line.split() for line in output.splitlines() if "password:" in line]


def _run_twice(env):
    _manage(env, "migrate", "--noinput", "-v0")
    first_output = _manage(env, "seed_demo")
    first = _row_counts(env)
    _manage(env, "migrate", "--noinput", "-v0")
    second_output = _manage(env, "seed_demo")
    second = _row_counts(env)
    return first_output, first, second_output, second


def _assert_same_demo(first_output, first, second_output, second):
    logins = _logins(first_output)
    assert {row[0] for row in logins} == {"officer", "officer2", "reviewer", "legal", "admin", "auditor"}
    assert _logins(second_output) == logins
    changed = {table: (first[table], second.get(table)) for table in first if first[table] != second.get(table)}
    assert changed == {}
    assert set(second) == set(first)
    # The demo screens against the shipped list: at least one hit waits for an officer.
    assert first["screening_listversion"] == 1
    assert first["screening_hit"] >= 1
    assert first["screening_subjectscreening"] >= first["parties_customer"] + first["parties_person"]


def test_seed_demo_run_twice_on_a_new_sqlite_database_adds_no_rows_and_prints_the_same_logins(tmp_path):
    env = _environment(tmp_path, f"sqlite:///{tmp_path / 'exportdesk.sqlite3'}")

    _assert_same_demo(*_run_twice(env))


@pytest.fixture
def postgres_url():
    """The URL of a new, empty PostgreSQL database on the server DATABASE_URL names, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        pytest.skip("DATABASE_URL names no PostgreSQL server")
    name = f"seed_demo_{uuid.uuid4().hex[:12]}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_seed_demo_run_twice_on_a_new_postgresql_database_adds_no_rows_and_prints_the_same_logins(
    tmp_path, postgres_url
):
    env = _environment(tmp_path, postgres_url)

    _assert_same_demo(*_run_twice(env))
