"""Rows written by COPY are the rows bulk_create writes: the same values, stamps and defaults."""

import datetime

import pytest
from django.forms.models import model_to_dict

from licensing.parties.intake import copy_insert
from licensing.parties.models import Person, StatusRecord

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db


def person(customer, external_id: str, **values) -> Person:
    values = {"location_country_id": "US", **values}
    return Person(customer=customer, external_id=external_id, given_name="Ada", family_name="Byron", **values)


@pytest.mark.parametrize(
    "values",
    [
        {"relationship": Person.Relationship.CUSTOMER_USER, "date_of_birth": datetime.date(1990, 2, 3)},
        {"relationship": "customer_user", "date_of_birth": None, "location_country_id": "FR", "email": "a@b.example"},
        # Not of the plain types: prepared by Django as bulk_create prepares them.
        {"relationship": "employee", "date_of_birth": datetime.datetime(1990, 2, 3, 12, 0)},
    ],
)
def test_copy_writes_what_bulk_create_writes(reference_data, values):
    customer = CustomerFactory()
    Person.objects.bulk_create([person(customer, "BULK", **values)])
    copy_insert([person(customer, "COPY", **values)])

    bulk, copied = Person.objects.get(external_id="BULK"), Person.objects.get(external_id="COPY")
    skip = ["id", "external_id"]
    assert {k: v for k, v in model_to_dict(copied).items() if k not in skip} == {
        k: v for k, v in model_to_dict(bulk).items() if k not in skip
    }
    assert copied.created_at is not None and copied.updated_at is not None

    copy_insert(
        [StatusRecord(person=copied, kind="citizenship", country_id="FR", acquired_on=datetime.date(2000, 1, 1))]
    )
    assert copied.status_records.get().acquired_on == datetime.date(2000, 1, 1)
