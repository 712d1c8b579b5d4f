"""API tokens may expire: refused from that moment on every path, with a warning webhook before it."""

import datetime
import json
import re
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.access import ANSWERS
from licensing.api.models import ApiToken, WebhookDelivery, WebhookEvent
from licensing.api.tasks import announce_api_tokens_expiring
from licensing.api.tokens import issue_api_token, revoke_api_token, set_api_token_expiry
from licensing.api.webhooks.expiry import announce_expiring_api_tokens
from licensing.api.webhooks.subscriptions import create_subscription
from licensing.audit.models import Event
from licensing.celery import app as celery_app

from .conftest import client_with_token
from .webhook_receiver import start_receiver

ACCESS_CHECK = "/api/v1/access-check"
SECRET = "whsec_0123456789abcdefghijklmnopqrstuvwxyz"


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def expire(token: ApiToken) -> None:
    """Let the token's expiry pass, as the clock would."""
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


def statements(queries) -> list[str]:
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("PREPARE ")]
    return [re.match(r"(?:EXECUTE (\w+))?", text).group(1) or text for text in sql]


def test_issue_api_token_sets_an_expiry_in_days(db):
    out = StringIO()

    call_command(
        "issue_api_token", "billing-prod", "--role", "billing", "--expires-in-days", "30", stdout=out, stderr=StringIO()
    )

    token = ApiToken.objects.get(name="billing-prod")
    assert abs(token.expires_at - in_days(30)) < datetime.timedelta(minutes=1)
    assert client_with_token(out.getvalue().strip()).get("/api/v1/customers").status_code == 200


@pytest.mark.parametrize("days", ["0", "-3", "4000"])
def test_issue_api_token_refuses_an_expiry_that_is_not_ahead(db, days):
    with pytest.raises(CommandError, match="expires-in-days"):
        call_command(
            "issue_api_token", "b", "--role", "billing", "--expires-in-days", days, stdout=StringIO(), stderr=StringIO()
        )

    assert not ApiToken.objects.exists()


def test_a_token_cannot_be_issued_already_expired(db):
    with pytest.raises(ValidationError) as refused:
        issue_api_token(actor=None, name="b", role=ClientRole.BILLING, expires_at=in_days(-1))

    assert "expires_at" in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_token_without_an_expiry_keeps_working(db):
    token, raw = issue_api_token(actor=None, name="b", role=ClientRole.BILLING)

    assert token.expires_at is None
    assert client_with_token(raw).get("/api/v1/customers").status_code == 200


def test_an_expired_token_is_refused_on_the_api_from_the_next_request(db):
    token, raw = issue_api_token(actor=None, name="b", role=ClientRole.BILLING, expires_at=in_days(1))
    client = client_with_token(raw)
    assert client.get("/api/v1/customers").status_code == 200

    expire(token)
    response = client.get("/api/v1/customers")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_an_expired_token_is_refused_by_the_access_check_on_its_fast_path_too(cases, letter_covering_many):
    token, raw = issue_api_token(actor=None, name="b", role=ClientRole.BILLING, expires_at=in_days(1))
    client = client_with_token(raw)
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    query = {"customer": customer.external_id, "item": "frontier-1"}
    ANSWERS.clear()
    assert client.get(ACCESS_CHECK, query).json()["allowed"] is True
    # The answer is remembered: the next check reads only the stamp and the token.
    with CaptureQueriesContext(connection) as remembered:
        assert client.get(ACCESS_CHECK, query).json()["allowed"] is True
    assert statements(remembered) == ["exportdesk_decision_stamp_with_client"]

    expire(token)
    with CaptureQueriesContext(connection) as after_expiry:
        response = client.get(ACCESS_CHECK, query)

    assert statements(after_expiry) == ["exportdesk_decision_stamp_with_client"]
    assert response.status_code == 401
    assert response.json()["allowed"] is False


def test_an_expired_token_is_refused_by_the_access_check_when_it_decides_afresh(cases, letter_covering_many):
    token, raw = issue_api_token(actor=None, name="b", role=ClientRole.BILLING, expires_at=in_days(1))
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    ANSWERS.clear()
    expire(token)

    response = client_with_token(raw).get(ACCESS_CHECK, {"customer": customer.external_id, "item": "frontier-1"})

    assert response.status_code == 401
    assert response.json()["allowed"] is False


def test_a_token_given_a_later_expiry_works_again_and_the_change_is_recorded(db):
    token, raw = issue_api_token(actor=None, name="b", role=ClientRole.BILLING, expires_at=in_days(1))

    set_api_token_expiry(actor=None, token=token, expires_at=in_days(90))
    expire(token)
    refused = client_with_token(raw).get("/api/v1/customers").status_code
    set_api_token_expiry(actor=None, token=token, expires_at=None)

    assert refused == 401
    assert client_with_token(raw).get("/api/v1/customers").status_code == 200
    assert Event.objects.filter(verb="api_token.expiry_changed").count() == 2


def test_a_revoked_token_cannot_be_given_a_new_expiry(db):
    token, _ = issue_api_token(actor=None, name="b", role=ClientRole.BILLING)
    revoke_api_token(actor=None, token=token, reason="Rotated")

    with pytest.raises(ValidationError):
        set_api_token_expiry(actor=None, token=token, expires_at=in_days(10))


@pytest.fixture
def token_admin(admin_user):
    client = APIClient()
    client.force_login(admin_user)
    return client


def admin_change(client, token, expires_at: datetime.datetime | None):
    local = timezone.localtime(expires_at) if expires_at else None
    return client.post(
        f"/admin/api/apitoken/{token.pk}/change/",
        {
            "expires_at_0": f"{local:%Y-%m-%d}" if local else "",
            "expires_at_1": f"{local:%H:%M:%S}" if local else "",
        },
    )


def test_an_administrator_sets_a_tokens_expiry_in_the_admin(token_admin, db):
    token, _ = issue_api_token(actor=None, name="b", role=ClientRole.BILLING)

    response = admin_change(token_admin, token, in_days(20))

    token.refresh_from_db()
    assert response.status_code == 302
    assert abs(token.expires_at - in_days(20)) < datetime.timedelta(minutes=1)
    assert Event.objects.filter(verb="api_token.expiry_changed").exists()


def test_the_admin_refuses_an_expiry_in_the_past_on_the_field(token_admin, db):
    token, _ = issue_api_token(actor=None, name="b", role=ClientRole.BILLING)

    response = admin_change(token_admin, token, in_days(-2))

    token.refresh_from_db()
    assert response.status_code == 200
    assert "expires_at" in response.context["adminform"].form.errors
    assert token.expires_at is None


def test_the_admin_issues_no_tokens(token_admin, db):
    assert token_admin.get("/admin/api/apitoken/add/").status_code == 403


@pytest.fixture
def receiver(db, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    receiver, server = start_receiver()
    create_subscription(
        actor=None, name="ops", url=receiver.url, events=[WebhookEvent.API_TOKEN_EXPIRING], secret=SECRET
    )
    yield receiver
    server.shutdown()
    server.server_close()


def test_a_token_about_to_expire_is_warned_about_once(receiver, settings, django_capture_on_commit_callbacks):
    settings.API_TOKEN_EXPIRY_WARNING_DAYS = 14
    soon, _ = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING, expires_at=in_days(10))
    issue_api_token(actor=None, name="later", role=ClientRole.BILLING, expires_at=in_days(30))
    issue_api_token(actor=None, name="forever", role=ClientRole.BILLING)
    revoked, _ = issue_api_token(actor=None, name="revoked", role=ClientRole.BILLING, expires_at=in_days(5))
    revoke_api_token(actor=None, token=revoked, reason="Rotated")

    with django_capture_on_commit_callbacks(execute=True):
        first = announce_expiring_api_tokens()
    with django_capture_on_commit_callbacks(execute=True):
        again = announce_expiring_api_tokens(now=in_days(1))

    assert (first, again) == (1, 0)
    [received] = receiver.received
    event = json.loads(received.body)
    assert event["type"] == "api_token.expiring"
    assert event["data"]["api_token"]["name"] == "billing"
    assert event["data"]["api_token"]["prefix"] == soon.prefix
    assert event["data"]["days_left"] == 9
    assert soon.key_hash not in received.body.decode()
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_token_given_a_new_expiry_is_warned_about_again(receiver, django_capture_on_commit_callbacks):
    token, _ = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING, expires_at=in_days(10))
    with django_capture_on_commit_callbacks(execute=True):
        announce_expiring_api_tokens()

    set_api_token_expiry(actor=None, token=token, expires_at=in_days(12))
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_expiring_api_tokens() == 1

    assert len(receiver.received) == 2


def test_an_expired_token_is_not_warned_about(receiver, django_capture_on_commit_callbacks):
    token, _ = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING, expires_at=in_days(3))
    expire(token)

    with django_capture_on_commit_callbacks(execute=True):
        assert announce_expiring_api_tokens() == 0

    assert receiver.received == []


def test_the_warning_runs_daily_from_the_beat_schedule(db):
    # Installed by a migration; run here because a test that flushes the
    # database takes migrations' rows with it.
    PeriodicTask.objects.all().delete()
    import_module("licensing.api.migrations.0005_token_expiry_schedule").install(django_apps, None)

    entry = PeriodicTask.objects.get(task=announce_api_tokens_expiring.name)
    assert entry.enabled
    assert (entry.crontab.minute, entry.crontab.hour, entry.crontab.day_of_week) == ("5", "6", "*")
    assert entry.task in celery_app.tasks
