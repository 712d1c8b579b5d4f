"""A person's address history and visa: recorded through the services, validated by field, logged with care."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.parties import services as parties
from licensing.parties.models import PersonAddress, Visa, address_held_on
from licensing.reference.models import Country

from ..factories import PersonFactory

DAY = datetime.timedelta(days=1)


def _boston(person, officer, since_on):
    return parties.record_person_address(
        actor=officer,
        person=person,
        since_on=since_on,
        line1="77 Massachusetts Ave",
        line2="Building 32",
        city="Cambridge",
        region="MA",
        postal_code="02139",
        country=Country.objects.get(pk="US"),
    )


def test_a_move_ends_the_old_address_on_the_day_the_new_one_starts(officer, today):
    person = PersonFactory()
    first = _boston(person, officer, today - 400 * DAY)
    second = parties.record_person_address(
        actor=officer,
        person=person,
        since_on=today - 10 * DAY,
        line1="1 Main Street",
        city="Palo Alto",
        region="CA",
        postal_code="94301",
        country=Country.objects.get(pk="US"),
    )

    first.refresh_from_db()
    assert first.ended_on == today - 10 * DAY
    assert address_held_on(person.pk, today) == second
    assert address_held_on(person.pk, today - 100 * DAY) == first
    assert address_held_on(person.pk, today - 500 * DAY) is None
    recorded = Event.objects.for_target(person).filter(verb="person.address_recorded").order_by("sequence")
    assert [e.after["city"] for e in recorded] == ["Cambridge", "Palo Alto"]
    assert recorded.last().before["ended_on"] == str(today - 10 * DAY)


def test_an_address_needs_its_street_and_city_and_says_which_is_missing(officer, today):
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        parties.record_person_address(
            actor=officer, person=person, line1="", city="", country=Country.objects.get(pk="US")
        )
    assert {"line1", "city"} <= set(error.value.message_dict)
    assert not PersonAddress.objects.exists()


def test_a_new_address_cannot_start_before_the_current_one_and_nothing_is_written(officer, today):
    person = PersonFactory()
    current = _boston(person, officer, today - 30 * DAY)
    with pytest.raises(ValidationError) as error:
        _boston(person, officer, today - 60 * DAY)
    assert "since_on" in error.value.message_dict
    current.refresh_from_db()
    assert current.ended_on is None and PersonAddress.objects.count() == 1


def test_an_address_in_the_future_is_refused_by_its_day(officer, today):
    with pytest.raises(ValidationError) as error:
        _boston(PersonFactory(), officer, today + DAY)
    assert "since_on" in error.value.message_dict


def test_a_correction_changes_the_parts_and_records_only_what_changed(officer, today):
    person = PersonFactory()
    address = _boston(person, officer, today)
    parties.correct_person_address(actor=officer, address=address, postal_code="02142", city="Cambridge")

    address.refresh_from_db()
    assert address.postal_code == "02142"
    event = Event.objects.for_target(person).get(verb="person.address_corrected")
    assert event.before == {"postal_code": "02139"} and event.after == {"postal_code": "02142"}


def test_legal_staff_cannot_record_an_address_or_a_visa(legal, today):
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        _boston(person, legal, today)
    with pytest.raises(PermissionDenied):
        parties.record_visa(actor=legal, person=person, kind="h1b", number="X1234567", expires_on=today + 90 * DAY)


def test_a_visa_is_recorded_with_its_number_normalised_and_the_log_keeps_only_its_last_four(officer, today):
    person = PersonFactory()
    visa = parties.record_visa(
        actor=officer, person=person, kind=Visa.Kind.H1B, number=" ab 123 4567 ", expires_on=today + 400 * DAY
    )

    assert visa.number == "AB1234567" and visa.recorded_by == officer
    event = Event.objects.for_target(person).get(verb="person.visa_recorded")
    assert event.after["number"] == "…4567"
    assert "AB1234567" not in str(event.after) and "AB1234567" not in event.target_repr


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"number": "12-34"}, "number"),
        ({"kind": "k9"}, "kind"),
        ({"expires_on": None}, "expires_on"),
        ({"expires_on": "yesterday"}, "expires_on"),
        ({"expires_on": "eleven years"}, "expires_on"),
    ],
)
def test_a_wrong_visa_is_refused_naming_the_field_and_nothing_is_written(officer, today, changes, field):
    days = {"yesterday": today - DAY, "eleven years": today + 11 * 366 * DAY}
    arguments = {"kind": "h1b", "number": "AB1234567", "expires_on": today + 90 * DAY, **changes}
    if arguments["expires_on"] in days:
        arguments["expires_on"] = days[arguments["expires_on"]]
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        parties.record_visa(actor=officer, person=person, **arguments)
    assert field in error.value.message_dict
    assert not Visa.objects.exists()
    assert not Event.objects.filter(verb="person.visa_recorded").exists()
