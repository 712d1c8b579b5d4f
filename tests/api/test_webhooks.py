"""Webhooks: signed, sent after commit, retried, logged; subscriptions managed through the API."""

import datetime
import json
import subprocess
import time

import pytest
from django.db import transaction as db_transaction
from rest_framework.test import APIClient

from licensing.api.models import WebhookDelivery, WebhookEvent
from licensing.api.tasks import retry_delay
from licensing.api.webhooks.expiry import announce_expiring_licences
from licensing.api.webhooks.publishing import publish
from licensing.api.webhooks.signing import sign, verify
from licensing.api.webhooks.subscriptions import create_subscription
from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications
from licensing.cases.services.licences import expire_licences
from licensing.cases.services.transactions import decide_transaction
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status
from tests.ready_to_file import complete_application

from ..celery_worker import wait_until
from ..factories import transaction
from .webhook_receiver import start_receiver

SECRET = "whsec_0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def allow_this_machine(settings, monkeypatch):
    """Let webhooks reach 127.0.0.1, here and in a worker process started by the test."""
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    monkeypatch.setenv("WEBHOOK_ALLOWED_PRIVATE_HOSTS", "127.0.0.1")


@pytest.fixture
def receiver(allow_this_machine):
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribe(db, receiver):
    def subscribe(*events):
        return create_subscription(actor=None, name="billing", url=receiver.url, events=list(events), secret=SECRET)

    return subscribe


def delivered(receiver, event_type):
    return [json.loads(r.body) for r in receiver.received if r.headers["x-exportdesk-event"] == event_type]


def test_a_signature_verifies_in_python_and_with_openssl():
    body = b'{"id":"1","type":"transaction.decided"}'
    timestamp = int(time.time())

    signature = sign(secret=SECRET, timestamp=timestamp, body=body)
    by_openssl = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET],
        input=f"{timestamp}.".encode() + body,
        capture_output=True,
        check=True,
    ).stdout.decode()

    assert verify(secret=SECRET, timestamp=str(timestamp), body=body, signature=signature)
    assert signature == "sha256=" + by_openssl.split()[-1]


def test_a_tampered_body_a_wrong_secret_or_a_stale_timestamp_fails_verification():
    body, timestamp = b'{"a":1}', int(time.time())
    signature = sign(secret=SECRET, timestamp=timestamp, body=body)

    assert not verify(secret=SECRET, timestamp=str(timestamp), body=b'{"a":2}', signature=signature)
    assert not verify(secret="x" * 40, timestamp=str(timestamp), body=body, signature=signature)
    assert not verify(secret=SECRET, timestamp=str(timestamp), body=body, signature=signature, now=timestamp + 301)


def test_a_decided_transaction_is_sent_signed_after_commit(
    billing, subscribe, receiver, cases, letter_for_foreign_persons, django_capture_on_commit_callbacks
):
    subscribe(WebhookEvent.TRANSACTION_DECIDED)
    customer = cases.foreign_customer("DE")

    with django_capture_on_commit_callbacks(execute=True):
        billing.post(
            "/api/v1/transactions",
            {
                "external_id": "INV-1",
                "customer": customer.external_id,
                "item": "frontier-1",
                "activity": "export",
                "destination_country": "DE",
            },
            format="json",
        )

    [received] = receiver.received
    headers = received.headers
    assert verify(
        secret=SECRET,
        timestamp=headers["x-exportdesk-timestamp"],
        body=received.body,
        signature=headers["x-exportdesk-signature"],
    )
    event = json.loads(received.body)
    assert event["type"] == "transaction.decided"
    assert event["data"]["transaction"]["external_id"] == "INV-1"
    assert event["data"]["transaction"]["decision"] == "licence_required"
    assert event["data"]["transaction"]["links"]["application"].startswith("/api/v1/applications/")
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_deciding_a_transaction_again_to_the_same_decision_sends_nothing(
    subscribe, receiver, cases, officer, letter_for_foreign_persons, django_capture_on_commit_callbacks
):
    subscribe(WebhookEvent.TRANSACTION_DECIDED)
    with django_capture_on_commit_callbacks(execute=True):
        record = transaction(cases.foreign_customer("DE"), cases.item, external_id="INV-1")

    with django_capture_on_commit_callbacks(execute=True):
        decide_transaction(actor=officer, transaction_record=record)

    assert [e["data"]["transaction"]["decision"] for e in delivered(receiver, "transaction.decided")] == [
        "licence_required"
    ]


def test_a_rolled_back_change_sends_nothing(subscribe, receiver, django_capture_on_commit_callbacks):
    subscribe(WebhookEvent.CUSTOMER_HELD)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with db_transaction.atomic():
            publish(WebhookEvent.CUSTOMER_HELD, lambda: {"customer": {}})
            raise RuntimeError("the change failed")

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_the_retry_delay_doubles_and_is_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 600

    delays = [retry_delay(n) for n in range(8)]

    assert [30 <= delays[0] <= 38, 60 <= delays[1] <= 75, 120 <= delays[2] <= 150] == [True] * 3
    assert all(600 <= d <= 750 for d in delays[5:])


@pytest.fixture
def fast_retries(monkeypatch):
    # Read by the worker process's settings: retries 1 s, 2 s, ... apart, three tries in all.
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "3")


@pytest.fixture
def worker_with_fast_retries(fast_retries, allow_this_machine, celery_worker):
    return celery_worker


@pytest.fixture
def flaky_receiver(allow_this_machine):
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_failed_deliveries_are_retried_with_backoff_and_given_up_after_the_last_attempt(
    worker_with_fast_retries, receiver, flaky_receiver
):
    recovers = create_subscription(
        actor=None, name="recovers", url=receiver.url, events=[WebhookEvent.CUSTOMER_HELD], secret=SECRET
    )
    create_subscription(
        actor=None, name="stays down", url=flaky_receiver.url, events=[WebhookEvent.CUSTOMER_HELD], secret=SECRET
    )
    receiver.answers = [500, 503]
    flaky_receiver.answers = [500] * 10

    with db_transaction.atomic():
        publish(WebhookEvent.CUSTOMER_HELD, lambda: {"customer": {"external_id": "C-1"}})

    wait_until(
        lambda: (
            not WebhookDelivery.objects.filter(
                status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
            ).exists()
        ),
        message="both deliveries to finish",
    )
    succeeded = WebhookDelivery.objects.get(subscription=recovers)
    attempts = list(succeeded.attempt_log.all())
    assert succeeded.status == WebhookDelivery.Status.DELIVERED
    assert [a.status_code for a in attempts] == [500, 503, 200]
    gaps = [(b.attempted_at - a.attempted_at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 1 and gaps[1] >= 2
    assert len({r.body for r in receiver.received}) == 1
    gave_up = WebhookDelivery.objects.exclude(subscription=recovers).get()
    assert (gave_up.status, gave_up.attempts, gave_up.last_status_code) == (WebhookDelivery.Status.FAILED, 3, 500)
    assert len(flaky_receiver.received) == 3


def test_an_application_status_change_is_sent(
    subscribe, receiver, cases, officer, letter_for_foreign_persons, django_capture_on_commit_callbacks
):
    subscribe(WebhookEvent.APPLICATION_STATUS_CHANGED)
    record = transaction(cases.foreign_customer("DE"), cases.item, external_id="INV-1")
    application = applications.update_application(
        actor=officer,
        application=LicenceApplication.objects.get(transaction=record),
        signer_name="O. Officer",
        signer_title="Officer",
    )

    with django_capture_on_commit_callbacks(execute=True):
        applications.submit_application_for_review(actor=officer, application=complete_application(application))

    [event] = delivered(receiver, "application.status_changed")
    assert event["data"]["status_before"] == "draft"
    assert event["data"]["application"]["status"] == "in_review"
    assert event["data"]["application"]["transaction"] == "INV-1"


def test_a_customer_put_on_hold_is_sent(subscribe, receiver, cases, officer, django_capture_on_commit_callbacks):
    subscribe(WebhookEvent.CUSTOMER_HELD)
    customer = cases.foreign_customer("DE")

    with django_capture_on_commit_callbacks(execute=True):
        set_customer_status(actor=officer, customer=customer, status=Customer.Status.ON_HOLD, reason="Screening")

    [event] = delivered(receiver, "customer.held")
    assert event["data"]["customer"]["status"] == "on_hold"


def test_a_customer_made_active_again_is_not_sent_as_held(
    subscribe, receiver, cases, officer, django_capture_on_commit_callbacks
):
    subscribe(WebhookEvent.CUSTOMER_HELD)
    customer = cases.foreign_customer("DE")
    with django_capture_on_commit_callbacks(execute=True):
        set_customer_status(actor=officer, customer=customer, status=Customer.Status.BLOCKED, reason="Denied party")

    with django_capture_on_commit_callbacks(execute=True):
        set_customer_status(actor=officer, customer=customer, status=Customer.Status.ACTIVE, reason="Cleared")

    assert [e["data"]["customer"]["status"] for e in delivered(receiver, "customer.held")] == ["blocked"]


def test_issued_expiring_and_expired_licences_are_sent(
    subscribe, receiver, cases, letter_for_foreign_persons, django_capture_on_commit_callbacks
):
    subscribe(WebhookEvent.LICENCE_ISSUED, WebhookEvent.LICENCE_EXPIRING, WebhookEvent.LICENCE_EXPIRED)
    today = datetime.date.today()
    record = transaction(cases.foreign_customer("DE"), cases.item, external_id="INV-1")

    with django_capture_on_commit_callbacks(execute=True):
        licence = cases.licensed(record, valid_until=today + datetime.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_expiring_licences() == 1
        assert announce_expiring_licences() == 0
    with django_capture_on_commit_callbacks(execute=True):
        expire_licences(on=today + datetime.timedelta(days=11))

    assert [e["data"]["licence"]["number"] for e in delivered(receiver, "licence.issued")] == [licence.number]
    [expiring] = delivered(receiver, "licence.expiring")
    assert expiring["data"]["days_left"] == 10
    assert delivered(receiver, "licence.expired")[0]["data"]["licence"]["status"] == "expired"


def test_an_integration_admin_manages_subscriptions_through_the_api(integration_admin, receiver):
    created = integration_admin.post(
        "/api/v1/webhooks", {"name": "billing", "url": receiver.url, "events": ["licence.issued"]}, format="json"
    )
    subscription_id = created.json()["id"]
    paused = integration_admin.patch(f"/api/v1/webhooks/{subscription_id}", {"active": False}, format="json")
    listed = integration_admin.get("/api/v1/webhooks").json()

    assert created.status_code == 201
    assert len(created.json()["secret"]) >= 32
    assert paused.json()["active"] is False
    assert "secret" not in listed["results"][0]


def test_a_webhook_url_must_be_https_unless_it_is_this_machine(integration_admin):
    response = integration_admin.post(
        "/api/v1/webhooks",
        {"name": "b", "url": "http://billing.example.com/hooks", "events": ["licence.issued"]},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"


def test_an_unknown_event_type_is_refused(integration_admin, receiver):
    response = integration_admin.post(
        "/api/v1/webhooks", {"name": "b", "url": receiver.url, "events": ["licence.lost"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "events.0"


def test_the_delivery_log_is_readable_through_the_api_and_in_the_admin(
    integration_admin, admin_user, auditor, subscribe, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(WebhookEvent.CUSTOMER_HELD)
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        publish(WebhookEvent.CUSTOMER_HELD, lambda: {"customer": {"external_id": "C-1"}})
    delivery = WebhookDelivery.objects.get()

    log = integration_admin.get(f"/api/v1/webhooks/{subscription.pk}/deliveries").json()
    admin = APIClient()
    admin.force_login(admin_user)
    page = admin.get(f"/admin/api/webhookdelivery/{delivery.pk}/change/")
    outsider = APIClient()
    outsider.force_login(auditor)

    assert [a["status_code"] for a in log["results"][0]["attempt_log"]] == [500]
    assert page.status_code == 200 and b"HTTP 500" in page.content
    assert outsider.get("/admin/api/webhookdelivery/").status_code == 403
