"""The person page records an address and a visa: errors name the field, the number stays out of lists."""

import datetime

import pytest
from django.urls import reverse

from licensing.parties import services as parties
from licensing.parties.models import PersonAddress, Visa

from ..factories import PersonFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def _address(**changes):
    data = {
        "address-line1": "77 Massachusetts Ave",
        "address-city": "Cambridge",
        "address-region": "MA",
        "address-postal_code": "02139",
        "address-country": "US",
    }
    return {**data, **changes}


def test_an_officer_records_an_address_and_the_page_shows_it(signed_in):
    person = PersonFactory()
    response = signed_in.post(reverse("person_address_add", args=[person.pk]), _address())

    assert response.status_code == 302
    page = signed_in.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "77 Massachusetts Ave" in page and "Cambridge, MA 02139" in page


def test_an_address_without_a_city_is_refused_on_its_field(signed_in):
    person = PersonFactory()
    response = signed_in.post(reverse("person_address_add", args=[person.pk]), _address(**{"address-city": ""}))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field-error"' in html and 'name="address-city"' in html
    assert not PersonAddress.objects.exists()


def test_an_officer_records_a_visa_and_sees_its_number_on_the_person_page_only(signed_in, today):
    person = PersonFactory(given_name="Ananya", family_name="Iyer")
    response = signed_in.post(
        reverse("person_visa_add", args=[person.pk]),
        {"visa-kind": "h1b", "visa-number": "ab1234567", "visa-expires_on": (today + 300 * DAY).isoformat()},
    )

    assert response.status_code == 302
    assert Visa.objects.get().number == "AB1234567"
    page = signed_in.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "AB1234567" in page and "H-1B" in page
    listing = signed_in.get(reverse("person_list")).content.decode()
    assert "Ananya" in listing and "AB1234567" not in listing and "4567" not in listing
    csv = b"".join(signed_in.get(reverse("person_list") + "?format=csv").streaming_content).decode()
    assert "AB1234567" not in csv


def test_an_expired_visa_is_refused_naming_the_expiry(signed_in, today):
    person = PersonFactory()
    response = signed_in.post(
        reverse("person_visa_add", args=[person.pk]),
        {"visa-kind": "h1b", "visa-number": "AB1234567", "visa-expires_on": (today - DAY).isoformat()},
    )

    html = response.content.decode()
    assert response.status_code == 400 and "expired on" in html
    assert not Visa.objects.exists()


def test_legal_staff_see_the_visa_masked_and_cannot_record_one(client, legal, officer, today):
    person = PersonFactory()
    parties.record_visa(actor=officer, person=person, kind="h1b", number="AB1234567", expires_on=today + 90 * DAY)
    client.force_login(legal)

    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "…4567" in page and "AB1234567" not in page and "Record a visa" not in page
    response = client.post(
        reverse("person_visa_add", args=[person.pk]),
        {"visa-kind": "h1b", "visa-number": "CD7654321", "visa-expires_on": (today + 9 * DAY).isoformat()},
    )
    assert response.status_code == 403
    assert Visa.objects.count() == 1
