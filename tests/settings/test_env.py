import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from licensing.settings.env import database_from_url, env_bool, env_int, env_list, local_secret_key

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("no", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False)


def test_env_int_refuses_text_and_out_of_range(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT='twenty-five' is not an integer"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("EMAIL_PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        env_int("EMAIL_PORT", 25, minimum=1)


def test_env_list_refuses_empty_items(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("ALLOWED_HOSTS", [])
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_database_urls(tmp_path):
    pg = database_from_url("postgres://app:s%40cret@db.internal:6432/exportdesk?sslmode=require", base_dir=tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "exportdesk",
        "app",
        "s@cret",
        "db.internal",
        "6432",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    lite = database_from_url("sqlite:///var/db.sqlite3", base_dir=tmp_path)
    assert lite["NAME"] == str(tmp_path / "var/db.sqlite3")


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://x/y", "not supported"), ("postgres://host/", "names no database"), ("postgres://h:port/db", "bad port")],
)
def test_bad_database_urls_fail_loudly(tmp_path, url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url, base_dir=tmp_path)


def test_the_local_secret_key_is_generated_once_and_kept_private(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = local_secret_key(path)
    assert len(first) >= 50
    assert local_secret_key(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deployment_check(tmp_path):
    # The test run allows async-unsafe calls for the browser tests; a deployment must not.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "licensing.settings.production",
        "SECRET_KEY": "k" * 20 + "production-only-secret-for-the-check-0123456789",
        "AUDIT_CHECKPOINT_KEY": "c" * 20 + "production-only-checkpoint-key-for-the-check-0123",
        "GATEWAY_RECEIPT_KEY": "g" * 20 + "production-only-gateway-receipt-key-for-the-0123",
        "CACHE_URL": "redis://127.0.0.1:6379/15",
        "ALLOWED_HOSTS": "exportdesk.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path}/check.sqlite3",
        "EXPORTDESK_VAR_DIR": str(tmp_path),
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="licensing.settings.production", EXPORTDESK_VAR_DIR=str(tmp_path))
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="licensing.settings.production",
        EXPORTDESK_VAR_DIR=str(tmp_path),
        SECRET_KEY="k" * 20 + "production-only-secret-for-the-check-0123456789",
    )
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "CACHE_URL must name Redis in production" in result.stderr
