"""The production configuration: the deployment check under `make run-prod`'s environment, and the secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from licensing.settings.env import secret_key_problem

ROOT = Path(__file__).resolve().parents[2]


def _run_prod_environment(tmp_path, **extra) -> dict:
    # What `make` passes down: the Makefile exports DJANGO_ALLOW_ASYNC_UNSAFE
    # for the browser tests, and no production variables are set yet.
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "AUDIT_CHECKPOINT_KEY",
            "GATEWAY_RECEIPT_KEY",
            "DJANGO_SETTINGS_MODULE",
            "SECURE_SSL_REDIRECT",
            "CACHE_URL",
            "ALLOWED_HOSTS",
        }
    }
    env.update(DJANGO_ALLOW_ASYNC_UNSAFE="true", EXPORTDESK_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def _under_run_prod(command: str, env: dict) -> subprocess.CompletedProcess:
    # scripts/run-prod sources scripts/prod-env before starting anything, so
    # the check runs under exactly the environment the servers get.
    return subprocess.run(
        ["bash", "-c", f". scripts/prod-env && exec {command}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_under_the_environment_run_prod_sets(tmp_path):
    result = _under_run_prod(
        f"{sys.executable} manage.py check --deploy --fail-level WARNING", _run_prod_environment(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    # The key run-prod generated is kept private to its owner.
    assert (tmp_path / "var" / "production-secret-key").stat().st_mode & 0o777 == 0o600


def test_run_prod_never_passes_the_async_unsafe_switch_to_the_servers(tmp_path):
    result = _under_run_prod(
        f"{sys.executable} -c 'import os; print(os.environ.get(\"DJANGO_ALLOW_ASYNC_UNSAFE\"))'",
        _run_prod_environment(tmp_path),
    )
    assert result.stdout.strip() == "None", result.stderr


def test_the_ssl_redirect_is_on_by_default_and_then_checked(tmp_path):
    env = _run_prod_environment(
        tmp_path,
        DJANGO_SETTINGS_MODULE="licensing.settings.production",
        SECRET_KEY="Zq3" + "x7-Kp2_vB9mN4rT8wY1cL6hJ0gF5dS" * 2,
        AUDIT_CHECKPOINT_KEY="Wc8" + "r2-Tq7_mK4nB9vX3zL5pH1jG6fD0s" * 2,
        GATEWAY_RECEIPT_KEY="Gr5" + "k9-Lm3_pQ7wE2rT6yU1iO8aS4dF0g" * 2,
        CACHE_URL="redis://127.0.0.1:6379/15",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_SSL_REDIRECT, settings.SILENCED_SYSTEM_CHECKS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "[]"], result.stderr


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("short-but-random-Qw8Zx", "is 22 characters; use at least 50"),
        ("ab" * 40, "fewer than 5 different characters"),
        ("django-insecure-" + "q9Wm2xR7vK4pL8nT3yB6cF1hJ5gD0sA" * 2, "placeholder"),
        ("changeme-" + "q9Wm2xR7vK4pL8nT3yB6cF1hJ5gD0sA" * 2, "placeholder"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(tmp_path, key, says):
    env = _run_prod_environment(
        tmp_path,
        DJANGO_SETTINGS_MODULE="licensing.settings.production",
        SECRET_KEY=key,
        CACHE_URL="redis://127.0.0.1:6379/15",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY " in result.stderr and says in result.stderr


def test_a_generated_key_is_strong_enough():
    import secrets

    assert secret_key_problem(secrets.token_urlsafe(50)) is None
