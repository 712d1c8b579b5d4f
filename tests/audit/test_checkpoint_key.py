"""The checkpoints' key: the deployment's own in production, generated once and kept private otherwise."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET_KEY = "k" * 20 + "production-only-secret-for-the-check-0123456789"


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_environment(tmp_path, **extra) -> dict:
    env = {
        key: value for key, value in os.environ.items() if key not in {"AUDIT_CHECKPOINT_KEY", "GATEWAY_RECEIPT_KEY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="licensing.settings.production",
        EXPORTDESK_VAR_DIR=str(tmp_path),
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        CACHE_URL="redis://127.0.0.1:6379/15",
        GATEWAY_RECEIPT_KEY="r" * 10 + "gateway-receipt-key-only-for-this-test-0123-QWERT",
    )
    env.update(extra)
    return env


def test_production_starts_with_a_checkpoint_key_of_its_own(tmp_path):
    key = "a" * 10 + "checkpoint-key-only-for-this-test-0123456789-ZYXWV"
    result = _python(
        "from django.conf import settings; print(len(settings.AUDIT_CHECKPOINT_KEY))",
        _production_environment(tmp_path, AUDIT_CHECKPOINT_KEY=key),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(key))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "AUDIT_CHECKPOINT_KEY must be set in production"),
        ("short-key-0123456789", "AUDIT_CHECKPOINT_KEY is 20 characters; use at least 50 random ones"),
        ("ab" * 30, "AUDIT_CHECKPOINT_KEY has fewer than 5 different characters"),
        (PRODUCTION_SECRET_KEY, "AUDIT_CHECKPOINT_KEY must differ from SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_a_strong_checkpoint_key_of_its_own(tmp_path, key, message):
    extra = {} if key is None else {"AUDIT_CHECKPOINT_KEY": key}
    result = _python("pass", _production_environment(tmp_path, **extra))
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_to_start_without_a_gateway_receipt_key_it_was_given(tmp_path):
    env = _production_environment(
        tmp_path, AUDIT_CHECKPOINT_KEY="a" * 10 + "checkpoint-key-only-for-this-test-0123456789-ZYXWV"
    )
    del env["GATEWAY_RECEIPT_KEY"]
    result = _python("pass", env)
    assert result.returncode != 0
    assert "GATEWAY_RECEIPT_KEY must be set in production" in result.stderr


def test_the_embedded_default_generates_its_own_checkpoint_key_once_and_keeps_it_private(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"AUDIT_CHECKPOINT_KEY", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="licensing.settings.base", EXPORTDESK_VAR_DIR=str(tmp_path))
    code = "from django.conf import settings; print(settings.AUDIT_CHECKPOINT_KEY == settings.SECRET_KEY)"

    assert _python(code, env).stdout.strip() == "False"
    path = tmp_path / "audit_checkpoint_key"
    first = path.read_text()
    assert len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    _python(code, env)
    assert path.read_text() == first
