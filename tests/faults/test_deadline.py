"""The client-side deadline of the access check's database work (licensing.api.deadline)."""

import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from licensing.api.deadline import database_deadline

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_a_query_past_its_deadline_fails_at_once_and_the_next_use_connects_afresh():
    connection.ensure_connection()
    cut = connection.connection
    backend = cut.info.backend_pid
    started = time.monotonic()

    with pytest.raises(OperationalError), database_deadline(0.2) as deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(10)")

    assert time.monotonic() - started < 3
    assert deadline.passed
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        # The server notices the client gone only when its sleep ends.
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    assert connection.connection is not cut


@pytest.mark.django_db(transaction=True)
def test_a_query_within_its_deadline_keeps_its_connection_after_the_deadline_passes():
    connection.ensure_connection()
    kept = connection.connection

    with database_deadline(0.2) as deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    time.sleep(0.4)

    assert not deadline.passed
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.connection is kept


@pytest.mark.django_db(transaction=True)
def test_a_short_deadline_after_longer_ones_that_ended_still_cuts_its_query():
    connection.ensure_connection()
    for seconds in (30, 0.05, 30):
        with database_deadline(seconds), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    started = time.monotonic()

    with pytest.raises(OperationalError), database_deadline(0.2) as deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(10)")

    assert time.monotonic() - started < 3
    assert deadline.passed
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_requests_answered_in_time_do_not_wake_the_watchdog_once_each():
    # Each wake is a thread switch and a hand-over of the interpreter lock in
    # the middle of some later request: met deadlines are dropped in bulk instead.
    connection.ensure_connection()
    with database_deadline(0.05), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    watchdog = next(thread for thread in threading.enumerate() if thread.name == "database-deadlines")
    before = _wakes(watchdog)

    for _ in range(200):
        with database_deadline(0.05), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    time.sleep(0.3)

    assert _wakes(watchdog) - before < 50


def _wakes(thread) -> int:
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    return sum(int(line.split()[1]) for line in status.splitlines() if line.startswith("voluntary_ctxt_switches"))
