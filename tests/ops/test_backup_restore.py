"""scripts/backup and scripts/restore round-trip a real database and the private files."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")]


def _server() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"


def _run(args, env):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _counts(url):
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed table names
            for table in ("parties_customer", "cases_transaction", "audit_event", "accounts_user")
        }


@pytest.fixture
def databases():
    names = [f"exportdesk_backup_{os.getpid()}", f"exportdesk_restore_{os.getpid()}"]
    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    yield [f"{_server()}/{name}" for name in names]
    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_its_files(databases, tmp_path):
    source, target = databases
    env = {
        **os.environ,
        "DATABASE_URL": source,
        "EXPORTDESK_VAR_DIR": str(tmp_path / "var"),
        "EXPORTDESK_MEDIA_ROOT": str(tmp_path / "source-files"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _run([".venv/bin/python", "manage.py", "migrate", "-v0"], env)
    _run([".venv/bin/python", "manage.py", "seed_demo", "--password", "backup-test-password"], env)
    (tmp_path / "source-files" / "evidence").mkdir(parents=True)
    (tmp_path / "source-files" / "evidence" / "scan").write_bytes(b"%PDF-1.4 scan")

    _run(["scripts/backup", str(tmp_path / "backup")], env)
    # The dump holds webhook secrets and the archive personal evidence.
    assert (tmp_path / "backup").stat().st_mode & 0o777 == 0o700
    for written in ("database.dump", "private-files.tar.gz", "MANIFEST.sha256"):
        assert (tmp_path / "backup" / written).stat().st_mode & 0o777 == 0o600, written
    restored = _run(
        ["scripts/restore", str(tmp_path / "backup")],
        {**env, "DATABASE_URL": target, "EXPORTDESK_MEDIA_ROOT": str(tmp_path / "restored-files")},
    )
    assert "events verified" in restored
    assert _counts(target) == _counts(source)
    assert _counts(target)["cases_transaction"] > 0
    assert (tmp_path / "restored-files" / "evidence" / "scan").read_bytes() == b"%PDF-1.4 scan"


def test_restore_refuses_a_tampered_backup(databases, tmp_path):
    source, target = databases
    env = {
        **os.environ,
        "DATABASE_URL": source,
        "EXPORTDESK_VAR_DIR": str(tmp_path / "var"),
        "EXPORTDESK_MEDIA_ROOT": str(tmp_path / "files"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _run([".venv/bin/python", "manage.py", "migrate", "-v0"], env)
    _run(["scripts/backup", str(tmp_path / "backup")], env)
    with open(tmp_path / "backup" / "database.dump", "ab") as dump:
        dump.write(b"tampered")
    result = subprocess.run(
        ["scripts/restore", str(tmp_path / "backup")],
        cwd=ROOT,
        env={**env, "DATABASE_URL": target},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
