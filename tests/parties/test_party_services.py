"""Party services the pages call: a person with statuses, addresses, evidence; each refuses the wrong role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing.audit.models import Event
from licensing.parties import evidence
from licensing.parties import services as parties
from licensing.parties.models import Person, StatusRecord
from licensing.reference.models import Country

from ..factories import CustomerFactory, PersonFactory


def test_register_person_writes_the_person_and_statuses_together(officer):
    person = parties.register_person(
        actor=officer,
        relationship=Person.Relationship.EMPLOYEE,
        given_name="Wei",
        family_name="Zhang",
        location_country_id="US",
        statuses=[
            {"kind": "citizenship", "country": Country.objects.get(pk="CN"), "acquired_on": datetime.date(1992, 8, 20)}
        ],
    )
    assert person.status_records.get().country_id == "CN"
    assert list(Event.objects.for_target(person).values_list("verb", flat=True)) == [
        "person.created",
        "person.status_recorded",
    ]


def test_register_person_leaves_nothing_behind_when_a_status_is_wrong(today, officer):
    with pytest.raises(ValidationError):
        parties.register_person(
            actor=officer,
            relationship=Person.Relationship.EMPLOYEE,
            given_name="Wei",
            family_name="Zhang",
            location_country_id="US",
            statuses=[{"kind": "protected_individual", "country": Country.objects.get(pk="CN"), "acquired_on": today}],
        )
    assert not Person.objects.exists() and not StatusRecord.objects.exists()


def test_legal_staff_cannot_register_persons_or_attach_evidence(legal):
    with pytest.raises(PermissionDenied):
        parties.register_person(actor=legal, given_name="A", family_name="B", location_country_id="US")
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        evidence.attach_evidence(
            actor=legal, person=person, kind="passport", upload=SimpleUploadedFile("p.pdf", b"%PDF-1.4\n")
        )


def test_an_address_change_is_recorded_on_the_customer(officer, auditor):
    customer = CustomerFactory()
    address = parties.save_customer_address(
        actor=officer, customer=customer, line1="1 Main St", city="Austin", country_id="US"
    )
    parties.save_customer_address(actor=officer, customer=customer, address=address, city="Dallas")
    verbs = list(Event.objects.for_target(customer).values_list("verb", flat=True))
    assert verbs[-2:] == ["customer.address_added", "customer.address_changed"]
    with pytest.raises(PermissionDenied):
        parties.save_customer_address(actor=auditor, customer=customer, line1="x", city="y", country_id="US")
