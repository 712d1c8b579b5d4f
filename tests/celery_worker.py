"""A real Celery worker on Redis, in its own process, for tests whose behaviour depends on delivery.

The worker reads the test database, so tests that use it need committed data:
request `transactional_db` (the fixture below does) and wait for effects with
`wait_until`.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.db import connection

from licensing.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST = os.environ.get("REDIS_TEST_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("REDIS_TEST_PORT", "6379"))


def redis_url_for_this_run() -> str:
    # One Redis database per test database, so parallel runs on one machine
    # (different DATABASE_URLs) never consume each other's tasks.
    name = connection.settings_dict["NAME"]
    number = 1 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 14
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def start_celery(*arguments: str, broker: str, extra_env: dict | None = None, log_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "licensing.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        **(extra_env or {}),
    }
    log = open(log_path, "w")  # noqa: SIM115 - closed when the process is stopped
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "licensing", *arguments],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def stop_celery(process, log) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture
def celery_worker(transactional_db, reference_data, tmp_path, settings):
    """Start a worker on Redis and point this process's task calls at it; yields the broker URL."""
    broker = redis_url_for_this_run()
    redis.Redis.from_url(broker).flushdb()
    media_root = str(settings.MEDIA_ROOT)
    previous = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    forget_connections()
    log_path = tmp_path / "celery-worker.log"
    process, log = start_celery(
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
        broker=broker,
        extra_env={"EXPORTDESK_MEDIA_ROOT": media_root},
        log_path=log_path,
    )
    try:
        wait_until(
            lambda: process.poll() is not None or "ready." in log_path.read_text(),
            timeout=60,
            message="the Celery worker to start",
        )
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited:\n{log_path.read_text()}")
        yield broker
    finally:
        stop_celery(process, log)
        celery_app.conf.update(**previous)
        forget_connections()


def forget_connections() -> None:
    """Drop cached broker and result connections so the next use reads the current configuration."""
    # Pools live in kombu's registry, keyed by broker address, and are shared
    # with other tests: clearing the registry (not only closing this app's
    # pool) leaves no closed pool behind for the next test to be handed.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.__dict__.pop("backend", None)
    celery_app._local.__dict__.pop("backend", None)


def result_of(async_result, *, timeout: float):
    """Wait for the result of a task that the worker process runs."""
    # Celery refuses to wait while its process-wide "inside a task" flag is set,
    # and an eager task running meanwhile in another thread of this process
    # (the live server's, say) sets it; the task waited on here runs elsewhere.
    return async_result.get(timeout=timeout, disable_sync_subtasks=False)
