"""Dates that cannot be true are refused, naming the field, on every path, and nothing is half-written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.parties import services
from licensing.parties.models import Person, StatusRecord
from licensing.reference.models import Country

from ..api.conftest import client_with_token
from ..factories import CustomerFactory, PersonFactory


@pytest.fixture
def billing(db):
    return client_with_token(issue_api_token(actor=None, name="billing-test", role=ClientRole.BILLING)[1])


def _future() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=10)


def test_a_citizenship_starting_in_the_future_is_refused_by_the_api_naming_it(billing):
    customer = CustomerFactory(external_id="C-1")
    body = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "location_country": "US",
        "citizenships": [{"country": "GB", "acquired_on": "1990-05-01"}],
        "residencies": [{"country": "US", "acquired_on": _future().isoformat()}],
    }

    response = billing.put(f"/api/v1/customers/{customer.external_id}/persons/U-1", body, format="json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "residencies.0.acquired_on"
    assert "future" in response.json()["errors"][0]["message"]
    assert not Person.objects.exists()
    assert not StatusRecord.objects.exists()


def test_a_birth_date_in_the_future_is_refused_on_the_page(client, officer):
    client.force_login(officer)
    response = client.post(
        "/persons/new/",
        {
            "relationship": Person.Relationship.CUSTOMER_USER,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "date_of_birth": _future().isoformat(),
            "location_country": "US",
            "statuses-TOTAL_FORMS": "0",
            "statuses-INITIAL_FORMS": "0",
            "customer": CustomerFactory(external_id="C-2").external_id,
        },
    )

    assert response.status_code == 400
    assert "is in the future" in response.context["form"].errors["date_of_birth"][0]
    assert not Person.objects.exists()


def test_a_status_before_the_persons_birth_is_refused_and_registers_nothing(officer):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as refused:
        services.register_person(
            actor=officer,
            customer=customer,
            relationship=Person.Relationship.CUSTOMER_USER,
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth=datetime.date(1990, 1, 1),
            location_country=Country.objects.get(pk="US"),
            statuses=[
                {
                    "kind": StatusRecord.Kind.CITIZENSHIP,
                    "country": Country.objects.get(pk="GB"),
                    "acquired_on": datetime.date(1980, 1, 1),
                }
            ],
        )

    assert "before the person's birth" in refused.value.message_dict["acquired_on"][0]
    assert not Person.objects.exists()


def test_a_birth_date_after_a_recorded_status_is_refused(officer):
    person = PersonFactory()
    services.record_status(
        actor=officer,
        person=person,
        kind=StatusRecord.Kind.CITIZENSHIP,
        country=Country.objects.get(pk="FR"),
        acquired_on=datetime.date(1995, 1, 1),
    )

    with pytest.raises(ValidationError) as refused:
        services.save_person(actor=officer, person=person, date_of_birth=datetime.date(2000, 1, 1))

    assert "date_of_birth" in refused.value.message_dict


def test_the_admin_form_refuses_a_future_status(db):
    # The admin's inline form validates through the model's clean, like every other path.
    record = StatusRecord(
        person=PersonFactory(), kind=StatusRecord.Kind.CITIZENSHIP, country_id="FR", acquired_on=_future()
    )
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert "acquired_on" in refused.value.message_dict
