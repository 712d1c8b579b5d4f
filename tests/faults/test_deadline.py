"""The client-side deadline of the access check's database work (licensing.api.deadline)."""

import time

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
