"""The replay on the transaction's page and through the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.cases.models import Decision, Transaction

from ..factories import CustomerFactory, approved_determination, letter, transaction


@pytest.fixture
def decided_then_required(reference_data, officer, reviewer, item, today):
    """Authorised when decided; a letter written since requires a licence now."""
    customer = CustomerFactory(country_of_incorporation_id="DE")
    approved_determination(
        customer, preparer=officer, reviewer=reviewer, effective_on=today - datetime.timedelta(days=30)
    )
    record = transaction(customer, item, external_id="TX-123")
    letter(item)
    return record


@pytest.fixture
def billing(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='b', role=ClientRole.BILLING)[1]}")
    return client


def test_the_transaction_page_links_to_the_explanation_as_of_its_time(decided_then_required, officer, client):
    client.force_login(officer)

    page = client.get(reverse("transaction_detail", args=[decided_then_required.pk])).content.decode()
    explained = client.get(reverse("transaction_replay", args=[decided_then_required.pk]))

    assert "Explain this decision as of its time" in page
    text = explained.content.decode()
    assert explained.status_code == 200
    assert "matches the record" in text
    assert "was not in force when the decision was made: not applied" in text


def test_the_page_refuses_a_moment_it_cannot_read_naming_the_field(decided_then_required, officer, client):
    client.force_login(officer)

    response = client.get(reverse("transaction_replay", args=[decided_then_required.pk]), {"at": "2 November"})

    assert response.status_code == 400
    assert "At: “2 November” is neither a day" in response.content.decode()


def test_the_api_replays_a_decision_and_says_it_matches(decided_then_required, billing):
    data = billing.get("/api/v1/transactions/TX-123/replay/").json()

    assert (data["recorded_decision"], data["decision"], data["matches"]) == (
        Decision.AUTHORISED,
        Decision.AUTHORISED,
        True,
    )
    assert data["reasons"] == decided_then_required.decision_reasons
    assert data["replayed"] is True and data["missing"] == []


def test_the_api_says_plainly_when_a_decision_cannot_be_replayed(decided_then_required, billing):
    Transaction.objects.filter(pk=decided_then_required.pk).update(decision_basis={})

    data = billing.get("/api/v1/transactions/TX-123/replay").json()

    assert (data["replayed"], data["decision"], data["matches"]) == (False, None, None)
    assert "cannot be replayed" in data["missing"][0]


def test_the_api_refuses_an_unreadable_moment_and_an_unknown_transaction(decided_then_required, billing):
    before_any = (timezone.now() - datetime.timedelta(days=400)).date().isoformat()

    bad = billing.get("/api/v1/transactions/TX-123/replay/", {"at": "yesterday"})
    unknown = billing.get("/api/v1/transactions/TX-999/replay/")
    early = billing.get("/api/v1/transactions/TX-123/replay/", {"at": before_any}).json()

    assert bad.status_code == 400
    assert [error["field"] for error in bad.json()["errors"]] == ["at"]
    assert unknown.status_code == 404
    assert early["replayed"] is False and early["missing"][0].startswith("No decision of Transaction TX-123")
