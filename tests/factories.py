"""Builders for test records; each takes keyword overrides."""

import datetime
from decimal import Decimal

import factory

from licensing.accounts.models import Role, User
from licensing.cases.services.transactions import record_transaction
from licensing.determinations import services as determinations
from licensing.parties.models import Customer, Person, StatusRecord
from licensing.reference.models import Activity, ControlledItem, LicenceRequirement


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlledItem
        django_get_or_create = ("code",)

    code = "frontier-1"
    name = "Frontier-1 model weights"
    eccn = "4E091"
    manufacturer = "Meridian Frontier AI, Inc."


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CUST-{n:05d}")
    kind = Customer.Kind.ENTITY
    legal_name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    country_of_incorporation_id = "DE"
    headquarters_country_id = factory.SelfAttribute("country_of_incorporation_id")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    customer = factory.SubFactory(CustomerFactory, country_of_incorporation_id="US")
    external_id = factory.Sequence(lambda n: f"P-{n:05d}")
    relationship = Person.Relationship.CUSTOMER_USER
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = "Tester"
    employer = factory.SelfAttribute("customer")
    location_country_id = "US"


def add_status(person, kind, country, acquired, ended=None):
    return StatusRecord.objects.create(
        person=person,
        kind=kind,
        country_id=country,
        acquired_on=datetime.date.fromisoformat(acquired),
        ended_on=datetime.date.fromisoformat(ended) if ended else None,
    )


def letter(
    *items,
    scope=LicenceRequirement.Scope.FOREIGN_PERSONS,
    effective_from=datetime.date(2026, 1, 1),
    activities=None,
    groups=(),
    per_transaction=True,
):
    requirement = LicenceRequirement.objects.create(
        title="Is-informed letter",
        issued_on=effective_from,
        legal_basis="15 CFR 744 (is informed)",
        activities=list(activities or Activity.values),
        scope=scope,
        effective_from=effective_from,
        application_per_transaction=per_transaction,
    )
    requirement.items.set(items)
    requirement.country_groups.set(groups)
    return requirement


def approved_determination(subject, *, preparer, reviewer, effective_on, review_by=None):
    draft = determinations.prepare_determination(
        actor=preparer, subject=subject, effective_on=effective_on, review_by=review_by
    )
    submitted = determinations.submit_determination(actor=preparer, determination=draft)
    return determinations.approve_determination(actor=reviewer, determination=submitted)


def transaction(
    customer,
    item,
    *,
    person=None,
    activity=Activity.EXPORT,
    country=None,
    external_id=None,
    quantity=None,
    value=Decimal("1000.00"),
):
    record, _ = record_transaction(
        actor=None,
        external_id=external_id or f"TX-{customer.pk}-{person.pk if person else 0}-{activity}-{country}",
        customer=customer,
        person=person,
        item=item,
        activity=activity,
        destination_country_id=country or customer.country_of_incorporation_id,
        quantity=quantity,
        value=value,
        currency="USD",
        end_use="Research",
    )
    return record
