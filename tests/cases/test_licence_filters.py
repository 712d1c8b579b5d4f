"""The licences list and the API filter through one FilterSet: status as it stands, activity, country, expiry."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.cases.models import Licence, LicenceApplication
from licensing.reference.models import Activity
from tests.factories import CustomerFactory, approved_determination, letter, transaction

# number: (customer, activity, country, days from today to its last valid day)
LICENCES = {
    "D-SOON-DE": ("Alpha GmbH", Activity.EXPORT, "DE", 20),
    "D-LATER-FR": ("Beta SA", Activity.DEEMED_EXPORT, "FR", 60),
    "D-LONG-DE": ("Gamma AG", Activity.EXPORT, "DE", 200),
    "D-LAPSED-FR": ("Delta SARL", Activity.EXPORT, "FR", -1),
}


@pytest.fixture
def licences(officer, reviewer, item, today):
    letter(item)
    made = {}
    for number, (name, activity, country, days) in LICENCES.items():
        customer = CustomerFactory(legal_name=name)
        approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
        application = LicenceApplication.objects.get(transaction=transaction(customer, item))
        made[number] = Licence.objects.create(
            number=number,
            application=application,
            customer=customer,
            item=item,
            activity=activity,
            country_id=country,
            valid_from=today - datetime.timedelta(days=300),
            valid_until=today + datetime.timedelta(days=days),
        )
    return made


@pytest.fixture
def api(db):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='r', role=ClientRole.READ_ONLY)[1]}"
    )
    return client


def _listed(client, query) -> set[str]:
    response = client.get(reverse("licence_list"), {**query, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {row["number"] for row in rows}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"D-SOON-DE", "D-LATER-FR", "D-LONG-DE", "D-LAPSED-FR"}),
        # Past its last day a licence is expired, though its stored status still says active.
        ({"status": "expired"}, {"D-LAPSED-FR"}),
        ({"status": "active"}, {"D-SOON-DE", "D-LATER-FR", "D-LONG-DE"}),
        ({"activity": "deemed_export"}, {"D-LATER-FR"}),
        ({"country": "DE"}, {"D-SOON-DE", "D-LONG-DE"}),
        ({"expiring": "30"}, {"D-SOON-DE"}),
        ({"expiring": "90"}, {"D-SOON-DE", "D-LATER-FR"}),
        ({"country": "FR", "status": "active"}, {"D-LATER-FR"}),
    ],
)
def test_the_list_and_the_api_filter_licences_alike(licences, client, api, officer, query, expected):
    client.force_login(officer)
    assert _listed(client, query) == expected
    body = api.get("/api/v1/licences", query).json()
    assert {row["number"] for row in body["results"]} == expected


def test_expiring_before_a_day_and_by_customer(licences, client, api, officer, today):
    client.force_login(officer)
    before = {"expiring_before": (today + datetime.timedelta(days=61)).isoformat()}
    assert _listed(client, before) == {"D-SOON-DE", "D-LATER-FR"}
    assert {row["number"] for row in api.get("/api/v1/licences", before).json()["results"]} == {
        "D-SOON-DE",
        "D-LATER-FR",
    }
    beta = {"customer": licences["D-LATER-FR"].customer.external_id}
    assert _listed(client, beta) == {"D-LATER-FR"}
    assert [row["number"] for row in api.get("/api/v1/licences", beta).json()["results"]] == ["D-LATER-FR"]


def test_the_list_shows_every_filter_of_the_filterset(licences, client, officer, today):
    client.force_login(officer)
    day = (today + datetime.timedelta(days=30)).isoformat()
    html = client.get(reverse("licence_list"), {"expiring_before": day, "country": "DE"}).content.decode()
    for name in ("status", "activity", "country", "expiring"):
        assert f'<select id="filter-{name}" name="{name}">' in html
    assert f'<input id="filter-expiring_before" type="date" name="expiring_before" value="{day}">' in html
    assert '<input id="filter-customer" type="text" name="customer" value="">' in html
    assert '<option value="DE" selected>' in html
    assert "D-SOON-DE" in html and "D-LONG-DE" not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [({"country": "XX"}, "country"), ({"expiring_before": "soon"}, "expiring_before"), ({"expiring": "7"}, "expiring")],
)
def test_the_api_refuses_a_bad_filter_naming_it(licences, api, query, field):
    response = api.get("/api/v1/licences", query)
    assert response.status_code in (400, 422)
    assert field in response.content.decode()


def test_the_list_ignores_a_bad_filter_value_rather_than_failing(licences, client, officer):
    client.force_login(officer)
    response = client.get(reverse("licence_list"), {"expiring_before": "soon", "country": "XX"})
    assert response.status_code == 200
    assert "D-LONG-DE" in response.content.decode()
