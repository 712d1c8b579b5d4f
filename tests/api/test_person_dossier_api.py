"""A person's addresses and visas through the API: billing may sync addresses; visas are compliance staff's."""

import datetime

import pytest
from rest_framework.test import APIClient

from licensing.audit.models import Event
from licensing.parties.models import PersonAddress, Visa

from ..factories import CustomerFactory, PersonFactory

DAY = datetime.timedelta(days=1)
ADDRESS = {
    "line1": "77 Massachusetts Ave",
    "city": "Cambridge",
    "region": "MA",
    "postal_code": "02139",
    "country": "US",
}


@pytest.fixture
def person(db):
    customer = CustomerFactory(external_id="C-1")
    return PersonFactory(customer=customer, external_id="U-1", relationship="customer_user")


@pytest.fixture
def staff(officer):
    client = APIClient()
    client.force_login(officer)
    return client


def test_billing_records_a_move_and_reads_the_history(billing, person, today):
    url = "/api/v1/customers/C-1/persons/U-1/addresses"
    first = billing.post(url, {**ADDRESS, "since_on": (today - 100 * DAY).isoformat()}, format="json")
    second = billing.post(url, {**ADDRESS, "line1": "1 Main Street", "city": "Boston"}, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["since_on"] == today.isoformat() and second.json()["ended_on"] is None
    listed = billing.get(url).json()
    assert [a["city"] for a in listed] == ["Boston", "Cambridge"]
    assert listed[1]["ended_on"] == today.isoformat()
    assert Event.objects.filter(verb="person.address_recorded").count() == 2


def test_an_address_without_a_city_or_with_an_unknown_country_is_refused_naming_the_fields(billing, person):
    response = billing.post(
        "/api/v1/customers/C-1/persons/U-1/addresses", {**ADDRESS, "city": "", "country": "XX"}, format="json"
    )

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"city", "country"} <= fields
    assert not PersonAddress.objects.exists()


def test_an_unknown_person_is_not_found(billing, person):
    assert billing.get("/api/v1/customers/C-1/persons/U-404/addresses").status_code == 404


def test_compliance_staff_record_and_read_a_visa(staff, person, today, officer):
    url = "/api/v1/customers/C-1/persons/U-1/visas"
    response = staff.post(
        url, {"kind": "h1b", "number": "ab 1234567", "expires_on": (today + 300 * DAY).isoformat()}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == "AB1234567" and response.json()["current"] is True
    listed = staff.get(url).json()
    assert [(v["kind"], v["recorded_by"]) for v in listed] == [("h1b", officer.username)]


def test_a_wrong_expiry_is_refused_naming_it(staff, person, today):
    response = staff.post(
        "/api/v1/customers/C-1/persons/U-1/visas",
        {"kind": "h1b", "number": "AB1234567", "expires_on": (today - DAY).isoformat()},
        format="json",
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["expires_on"]
    assert not Visa.objects.exists()


def test_billing_never_reads_or_writes_a_visa(billing, person, today):
    url = "/api/v1/customers/C-1/persons/U-1/visas"
    assert billing.get(url).status_code == 403
    response = billing.post(
        url, {"kind": "h1b", "number": "AB1234567", "expires_on": (today + 9 * DAY).isoformat()}, format="json"
    )
    assert response.status_code == 403
    assert not Visa.objects.exists()
