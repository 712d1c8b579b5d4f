"""Start the production configuration (gunicorn, worker, beat on PostgreSQL and Redis) and use it."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL built here
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, OSError):
        # Refused, reset, or (the first request loads the application) slow.
        return None, None, b""


def _stop(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def production(tmp_path, django_db_blocker):
    settings = connection.settings_dict
    server = f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    database = f"exportdesk_smoke_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{database}",
        "CELERY_BROKER_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "CACHE_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "SECRET_KEY": "smoke-" + "s" * 60,
        "AUDIT_CHECKPOINT_KEY": "audit-checkpoint-" + "c7" * 30,
        "GATEWAY_RECEIPT_KEY": "gateway-receipt-" + "r9" * 30,
        "PORT": str(port),
        "EXPORTDESK_VAR_DIR": str(tmp_path / "var"),
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
    }
    log = open(tmp_path / "run-prod.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run-prod")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Migrating a new database and collecting static files first; on a loaded two-core machine that once
        # took over two minutes. The wait ends as soon as the server answers ready.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and _get(f"{base}/readyz")[0] != 200:
            if process.poll() is not None:
                pytest.fail((tmp_path / "run-prod.log").read_text())
            time.sleep(0.5)
        assert _get(f"{base}/readyz")[0] == 200, (tmp_path / "run-prod.log").read_text()
        yield base, env, tmp_path / "run-prod.log"
    finally:
        _stop(process)
        log.close()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_web_worker_and_beat_serve_the_product(production):
    base, env, log_path = production
    status, headers, body = _get(f"{base}/login/")
    assert status == 200 and b"Sign in" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    # Static files are collected and served with hashed names by the web process.
    css = re.search(r'href="(/static/[^"]+\.css)"', body.decode()).group(1)
    assert _get(f"{base}{css}")[0] == 200

    seeded = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--password", "smoke-test-password"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "licensing.settings.production"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr

    # A task sent through Redis is run by the worker process, not in this one.
    delivered = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from licensing.cases.tasks import expire_lapsed_licences as task; "
            "print('expired', task.delay().get(timeout=60))",
        ],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "licensing.settings.production",
            "CELERY_RESULT_BACKEND": env["CELERY_BROKER_URL"],
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert delivered.returncode == 0, delivered.stderr
    assert "expired 1" in delivered.stdout
    log = log_path.read_text()
    assert "licensing.cases.tasks.expire_lapsed_licences" in log
    assert "beat: Starting" in log
    # Beat runs the outbox relay every few seconds, and a worker runs it.
    assert "licensing.outbox.tasks.relay_outbox" in log
