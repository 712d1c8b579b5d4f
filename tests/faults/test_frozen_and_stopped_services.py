"""The product under production settings (gunicorn) on a PostgreSQL and a Redis this test starts, freezes and stops.

The servers are the test's own, so it may SIGSTOP the database (a frozen
server: connections open, nothing answers) and stop Redis (the cache and
the broker gone) without disturbing anyone else's.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name), default=None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PG_BIN is None or shutil.which("redis-server") is None, reason="needs PostgreSQL and Redis"),
]

CUSTOMER = "C-US-1"
CUSTOMER_BODY = {
    "kind": "entity",
    "legal_name": "Harbor Analytics Inc.",
    "aliases": [],
    "country_of_incorporation": "US",
    "headquarters_country": "US",
}
# Made through the same services as the product's own pages; prints billing's token.
SETUP = f"""
import datetime
from django.utils import timezone
from licensing.accounts.models import Role
from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from tests.factories import CustomerFactory, ItemFactory, UserFactory, approved_determination

officer = UserFactory(username="officer", role=Role.OFFICER)
reviewer = UserFactory(username="reviewer", role=Role.REVIEWER)
ItemFactory()
customer = CustomerFactory(external_id="{CUSTOMER}", legal_name="Harbor Analytics", country_of_incorporation_id="US")
last_month = timezone.localdate() - datetime.timedelta(days=30)
approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=last_month)
print("TOKEN", issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)[1])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(predicate, *, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")


def _children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent follows the state.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


class Postgres:
    """A throwaway cluster on a free port, owned by the postgres user when the test runs as root."""

    def __init__(self):
        # Not under pytest's tmp_path: the postgres user must be able to reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="exportdesk-faults-pg.", dir="/tmp"))
        self.dir.chmod(0o755)
        self.port = _free_port()
        self.as_owner = []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.frozen: list[int] = []

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        data = self.dir / "data"
        subprocess.run(
            [*self.as_owner, PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        subprocess.run(
            [*self.as_owner, PG_BIN / "pg_ctl", "-D", data, "-l", self.dir / "log", "-w", "-o", options, "start"],
            check=True,
            capture_output=True,
        )
        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE exportdesk")

    def freeze(self) -> None:
        """SIGSTOP the postmaster (first, so it starts nothing new) and every process it started."""
        postmaster = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGSTOP)
        self.frozen.append(postmaster)
        for pid in _children_of(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                self.frozen.append(pid)

    def thaw(self) -> None:
        while self.frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.frozen.pop(), signal.SIGCONT)

    def stop(self) -> None:
        self.thaw()
        subprocess.run(
            [*self.as_owner, PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, sql: str, params=()):
        with psycopg.connect(f"{self.server_url}/exportdesk", autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()


class Redis:
    def __init__(self, log_path: Path):
        self.port = _free_port()
        self.log_path = log_path
        self.process = None

    def url(self, number: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{number}"

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 - the server's output, kept while it runs
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        _wait_until(self._answers, timeout=30, message="Redis to start")

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url(0), socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    @contextlib.contextmanager
    def down(self):
        self.stop()
        try:
            yield
        finally:
            self.start()


class Stack:
    def __init__(self, postgres: Postgres, redis_server: Redis, base: str, env: dict, token: str, log_path: Path):
        self.postgres, self.redis, self.base, self.env, self.token, self.log_path = (
            postgres,
            redis_server,
            base,
            env,
            token,
            log_path,
        )

    def call(self, method: str, path: str, body=None, *, timeout: float = 20):
        """(status, parsed body, seconds); status None when the connection failed."""
        request = urllib.request.Request(  # noqa: S310 - a loopback URL built here
            f"{self.base}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (OSError, urllib.error.URLError) as error:
            status, raw = None, str(error).encode()
        elapsed = time.monotonic() - started
        try:
            data = json.loads(raw)
        except ValueError:
            data = {"raw": raw.decode(errors="replace")}
        return status, data, elapsed

    def check(self, **kwargs):
        return self.call("GET", f"/api/v1/access-check?customer={CUSTOMER}&item=frontier-1", **kwargs)

    def manage(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )


def _production_env(postgres: Postgres, redis_server: Redis, var_dir: Path) -> dict:
    """The environment scripts/prod-env sets up, pointed at this test's servers."""
    given = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))},
        "DATABASE_URL": f"{postgres.server_url}/exportdesk",
        "CELERY_BROKER_URL": redis_server.url(0),
        "CACHE_URL": redis_server.url(1),
        "EXPORTDESK_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(50),
        "GATEWAY_RECEIPT_KEY": secrets.token_urlsafe(50),
        "LOG_FORMAT": "plain",
    }
    sourced = subprocess.run(
        ["bash", "-c", ". scripts/prod-env && env -0"], cwd=ROOT, env=given, capture_output=True, check=True
    )
    env = dict(line.split("=", 1) for line in sourced.stdout.decode().split("\0") if "=" in line)
    # Sent tasks wait in Redis: no worker runs here, the queue itself is what is checked.
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    postgres = Postgres()
    redis_server = Redis(tmp / "redis.log")
    web = None
    log_path = tmp / "gunicorn.log"
    try:
        postgres.start()
        redis_server.start()
        env = _production_env(postgres, redis_server, tmp / "var")
        stack = Stack(postgres, redis_server, "", env, "", log_path)
        migrated = stack.manage("migrate", "--noinput", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        made = stack.manage("shell", "-c", SETUP)
        assert made.returncode == 0, made.stderr
        stack.token = made.stdout.split("TOKEN", 1)[1].strip()
        port = _free_port()
        stack.base = f"http://127.0.0.1:{port}"
        with open(log_path, "w") as log:
            web = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "licensing.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--timeout",
                    "30",
                    "--no-control-socket",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_until(
            lambda: web.poll() is not None or stack.call("GET", "/healthz", timeout=2)[0] == 200,
            timeout=90,
            message="gunicorn to serve",
        )
        assert web.poll() is None, log_path.read_text()
        yield stack
    finally:
        if web is not None and web.poll() is None:
            os.killpg(web.pid, signal.SIGTERM)
            try:
                web.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(web.pid, signal.SIGKILL)
                web.wait()
        redis_server.stop()
        postgres.stop()


def _allowed(stack) -> bool:
    status, data, _ = stack.check(timeout=10)
    return status == 200 and data.get("allowed") is True


def test_a_frozen_database_gets_a_fast_refusal_and_access_returns_once_it_thaws(stack, record_property):
    assert _allowed(stack), stack.check()

    try:
        stack.postgres.freeze()
        status, data, elapsed = stack.check()
        # The next check finds no connection and opens one: connect_timeout bounds it.
        again, again_data, again_elapsed = stack.check()
        readiness, readiness_data, readiness_elapsed = stack.call("GET", "/readyz")
    finally:
        stack.postgres.thaw()

    record_property("seconds_to_refuse", round(elapsed, 3))
    record_property("seconds_to_refuse_while_connecting", round(again_elapsed, 3))
    assert (status, data.get("allowed")) == (503, False), (data, stack.log_path.read_text()[-3000:])
    assert "did not answer" in data["detail"]
    # Fail closed, fast: loosely bounded, this is not a benchmark.
    assert elapsed < 3, elapsed
    assert (again, again_data.get("allowed")) == (503, False), again_data
    assert again_elapsed < 6, again_elapsed
    assert (readiness, readiness_data.get("status")) == (503, "not ready"), readiness_data
    assert readiness_elapsed < 6, readiness_elapsed
    thawed = time.monotonic()
    _wait_until(lambda: _allowed(stack), timeout=30, message="the access check to allow again after the thaw")
    record_property("seconds_to_allow_after_thaw", round(time.monotonic() - thawed, 3))


def test_with_redis_down_checks_decide_and_writes_succeed_their_follow_ups_waiting_in_the_outbox(stack):
    screen = "licensing.screening.tasks.screen_subject_task"
    before = {row[0] for row in stack.postgres.query("SELECT id FROM outbox_outboxmessage")}

    with stack.redis.down():
        status, data, _ = stack.check()
        assert (status, data.get("allowed")) == (200, True), data

        renamed = {**CUSTOMER_BODY, "legal_name": "Harbor Analytics Holdings Inc."}
        status, data, _ = stack.call("PUT", f"/api/v1/customers/{CUSTOMER}", renamed)
        assert status in (200, 201), (data, stack.log_path.read_text()[-3000:])

        waiting = [
            row[0]
            for row in stack.postgres.query(
                "SELECT id FROM outbox_outboxmessage WHERE task = %s AND sent_at IS NULL", (screen,)
            )
            if row[0] not in before
        ]
        assert waiting, "the re-screening of the renamed customer is not waiting in the outbox"

    relayed = stack.manage("relay_outbox")
    assert relayed.returncode == 0, relayed.stderr
    sent = stack.postgres.query("SELECT sent_at FROM outbox_outboxmessage WHERE id = ANY(%s)", (waiting,))
    assert all(row[0] is not None for row in sent), relayed.stdout
    queued = redis.Redis.from_url(stack.redis.url(0)).lrange("celery", 0, -1)
    assert any(screen in message.decode() for message in queued)


def test_readiness_says_rate_limits_are_per_process_while_redis_is_down(stack):
    with stack.redis.down():
        status, data, _ = stack.call("GET", "/readyz")

    assert status == 200, data
    assert data["status"] == "degraded"
    assert data["checks"]["rate_limits"].startswith("per-process: Redis unreachable")
    assert data["checks"]["broker"].startswith("failed")
    assert data["checks"]["database"] == "ok"
    _wait_until(
        lambda: stack.call("GET", "/readyz")[1].get("checks", {}).get("rate_limits") == "ok",
        timeout=30,
        message="rate limits to be shared again",
    )
