"""Who may call the API: bearer tokens by role, revocation, and staff sessions with CSRF."""

import os
import uuid
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from licensing.accounts.permissions import Action, ClientRole, user_can
from licensing.api.models import ApiToken
from licensing.api.tokens import ApiClient, hash_token, issue_api_token, revoke_api_token

from ..factories import CustomerFactory
from .conftest import client_with_token

ACME = {"kind": "entity", "legal_name": "Acme GmbH", "country_of_incorporation": "DE"}


def test_issue_api_token_prints_the_token_once_and_keeps_only_its_hash(db):
    out = StringIO()

    call_command("issue_api_token", "billing-prod", "--role", "billing", stdout=out, stderr=StringIO())

    raw = out.getvalue().strip()
    token = ApiToken.objects.get(name="billing-prod")
    assert token.role == ClientRole.BILLING
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert raw.startswith(token.prefix)
    assert client_with_token(raw).get("/api/v1/customers").status_code == 200


def test_issue_api_token_refuses_a_duplicate_name(db):
    call_command("issue_api_token", "billing-prod", "--role", "billing", stdout=StringIO(), stderr=StringIO())

    with pytest.raises(CommandError, match="already exists"):
        call_command("issue_api_token", "billing-prod", "--role", "admin", stdout=StringIO(), stderr=StringIO())


def test_a_revoked_token_is_refused_on_its_next_request(db):
    token, raw = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)
    client = client_with_token(raw)
    assert client.get("/api/v1/customers").status_code == 200

    revoke_api_token(actor=None, token=token, reason="Rotated")

    response = client.get("/api/v1/customers")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_or_malformed_token_is_refused(db):
    assert client_with_token("exd_not-a-real-token").get("/api/v1/customers").status_code == 401
    assert client_with_token("two words").get("/api/v1/customers").status_code == 401


def test_the_last_use_of_a_token_is_recorded(db):
    token, raw = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)

    client_with_token(raw).get("/api/v1/customers")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_never_holds_a_peoples_role():
    client = ApiClient(token_id=1, name="ops", role=ClientRole.INTEGRATION_ADMIN)

    assert not user_can(client, Action.VIEW_CASES)
    assert not user_can(client, Action.MANAGE_REFERENCE_DATA)
    assert user_can(client, Action.MANAGE_WEBHOOKS)


def test_a_billing_token_cannot_manage_webhooks(billing):
    assert billing.get("/api/v1/webhooks").status_code == 403


def test_a_staff_session_reads_the_api(officer):
    client = APIClient()
    client.force_login(officer)

    assert client.get("/api/v1/customers").status_code == 200


def test_a_staff_session_must_send_the_csrf_token_to_write(officer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer)

    token = "k3yFr0mTheCsrfC00kie0123456789ab"  # what the UI's CSRF cookie would hold
    client.cookies["csrftoken"] = token
    refused = client.put("/api/v1/customers/C-1", ACME, format="json")
    accepted = client.put("/api/v1/customers/C-1", ACME, format="json", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201


def test_a_session_whose_role_may_not_edit_parties_is_refused(legal):
    client = APIClient()
    client.force_login(legal)

    assert client.put("/api/v1/customers/C-1", ACME, format="json").status_code == 403


def test_a_session_without_staff_status_is_not_accepted(outsider):
    client = APIClient()
    client.force_login(outsider)

    assert client.get("/api/v1/customers").status_code == 401


def test_a_session_that_has_not_passed_its_second_factor_is_refused(officer):
    officer.totp_secret = "JBSWY3DPEHPK3PXP"
    officer.save(update_fields=["totp_secret"])
    client = APIClient()
    client.force_login(officer)

    response = client.get("/api/v1/customers")

    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


@pytest.fixture(params=["memory", "redis"])
def throttle_cache(request, settings):
    """The cache the budgets are counted in: memory (the embedded default) or Redis (production)."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
                "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
            }
        }
    yield request.param
    if request.param == "memory":
        cache.clear()
    # In Redis the counters carry this run's own prefix and expire on their own;
    # clearing would empty a database other tests' brokers may be using.


def test_requests_are_throttled_per_token(db, settings, throttle_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"client": "3/min", "anonymous": "3/min"},
    }
    CustomerFactory(external_id="C-1")
    first = client_with_token(issue_api_token(actor=None, name="one", role=ClientRole.BILLING)[1])
    second = client_with_token(issue_api_token(actor=None, name="two", role=ClientRole.BILLING)[1])

    codes = [first.get("/api/v1/customers/C-1").status_code for _ in range(4)]
    other = second.get("/api/v1/customers/C-1")

    assert codes == [200, 200, 200, 429]
    assert 1 <= int(first.get("/api/v1/customers/C-1")["Retry-After"]) <= 60
    assert other.status_code == 200
