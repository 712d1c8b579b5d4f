"""The access check fails closed: with the database gone it answers 503 and allowed: false."""

import socket

import psycopg
import pytest
from django.db import close_old_connections, connection

from ..factories import CustomerFactory

URL = "/api/v1/access-check"


def closed_port() -> int:
    # Bind and release: nothing listens on the port afterwards.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def customer(transactional_db):
    return CustomerFactory(country_of_incorporation_id="DE")


@pytest.fixture
def restore_connection():
    saved = dict(connection.settings_dict)
    yield
    connection.close()
    connection.settings_dict.update(saved)


def test_with_the_database_unreachable_the_check_answers_503_and_does_not_allow(billing, customer, restore_connection):
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())

    response = billing.get(URL, {"customer": customer.external_id, "item": "frontier-1"})

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["allowed"] is False
    assert response["Retry-After"]


def test_with_its_database_session_killed_the_check_answers_503_and_does_not_allow(
    billing, customer, restore_connection
):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    response = billing.get(URL, {"customer": customer.external_id, "item": "frontier-1"})

    assert response.status_code == 503
    assert response.json()["allowed"] is False
    # A server closes a broken connection when the request ends (the test
    # client leaves that out); the next check then runs on a new session,
    # which prepares its statement afresh.
    close_old_connections()
    following = billing.get(URL, {"customer": customer.external_id, "item": "frontier-1"})
    # (No controlled item exists in this test: the answer is that news, from the database.)
    assert following.status_code == 422
    assert following.json()["errors"][0]["field"] == "item"
