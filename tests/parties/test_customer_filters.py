"""The customers list and the API's filter through one FilterSet: kind, status, country of incorporation."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.parties.models import Customer
from tests.factories import CustomerFactory


@pytest.fixture
def customers(db):
    CustomerFactory(external_id="C-DE-ACTIVE", country_of_incorporation_id="DE")
    CustomerFactory(
        external_id="C-FR-HELD", country_of_incorporation_id="FR", status=Customer.Status.ON_HOLD, status_reason="KYC"
    )
    CustomerFactory(
        external_id="C-DE-PERSON",
        kind=Customer.Kind.INDIVIDUAL,
        country_of_incorporation_id="DE",
        status=Customer.Status.BLOCKED,
        status_reason="Fraud",
    )


@pytest.fixture
def api(db):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='r', role=ClientRole.READ_ONLY)[1]}"
    )
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"C-DE-ACTIVE", "C-FR-HELD", "C-DE-PERSON"}),
        ({"country": "DE"}, {"C-DE-ACTIVE", "C-DE-PERSON"}),
        ({"status": "on_hold"}, {"C-FR-HELD"}),
        ({"kind": "individual"}, {"C-DE-PERSON"}),
        ({"country": "DE", "status": "active"}, {"C-DE-ACTIVE"}),
    ],
)
def test_the_list_and_the_api_filter_customers_alike(customers, client, api, officer, query, expected):
    client.force_login(officer)
    response = client.get(reverse("customer_list"), {**query, "format": "csv"})
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert {row["billing_id"] for row in rows} == expected
    body = api.get("/api/v1/customers", query).json()
    assert {row["external_id"] for row in body["results"]} == expected


def test_the_api_refuses_an_unknown_status_naming_it(customers, api):
    response = api.get("/api/v1/customers", {"status": "asleep"})
    assert response.status_code in (400, 422) and "status" in response.content.decode()


def test_the_list_shows_the_filters_with_the_chosen_country(customers, client, officer):
    client.force_login(officer)
    html = client.get(reverse("customer_list"), {"country": "FR"}).content.decode()
    assert '<select id="filter-country" name="country">' in html and '<option value="FR" selected>' in html
    assert "C-FR-HELD" in html and "C-DE-ACTIVE" not in html
