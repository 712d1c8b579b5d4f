"""Whether a customer or person is a U.S. or foreign person on a date, and where a release goes.

The rules are 15 CFR 772.1 (who is a U.S. person) and 734.13(b) (a release to
a foreign person is attributed to their most recent country of citizenship or
permanent residency). The ITAR set is computed alongside for information:
22 CFR 120.51(b) counts every country of which the person holds or has held
citizenship and every country of which they hold permanent residency.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from licensing.reference.models import UNITED_STATES

from .models import Customer, Person, StatusRecord


class Outcome(models.TextChoices):
    US_PERSON = "us_person", "U.S. person"
    FOREIGN_PERSON = "foreign_person", "Foreign person"


class Basis(models.TextChoices):
    US_CITIZENSHIP = "us_citizenship", "U.S. citizenship"
    US_PERMANENT_RESIDENCY = "us_permanent_residency", "U.S. lawful permanent residency"
    PROTECTED_INDIVIDUAL = "protected_individual", "Protected individual (8 U.S.C. 1324b(a)(3))"
    US_ORGANISATION = "us_organisation", "Organised under U.S. law"
    FOREIGN_CITIZENSHIP = "foreign_citizenship", "Foreign citizenship or permanent residency only"
    FOREIGN_ORGANISATION = "foreign_organisation", "Not incorporated or organised in the U.S."


@dataclass(frozen=True)
class Assessment:
    outcome: str
    basis: str
    attribution_country: str | None
    itar_countries: tuple[str, ...] = ()
    facts: tuple[str, ...] = field(default=())

    @property
    def is_foreign(self) -> bool:
        return self.outcome == Outcome.FOREIGN_PERSON


def assess_person(person: Person, on: datetime.date) -> Assessment:
    """Assess a natural person from their dated status records as of `on`."""
    held = [r for r in person.status_records.all() if r.held_on(on)]
    facts = tuple(str(r) for r in held)
    us_statuses = {r.kind for r in held if r.country_id == UNITED_STATES}
    if StatusRecord.Kind.CITIZENSHIP in us_statuses:
        return Assessment(Outcome.US_PERSON, Basis.US_CITIZENSHIP, None, facts=facts)
    if StatusRecord.Kind.PERMANENT_RESIDENCY in us_statuses:
        return Assessment(Outcome.US_PERSON, Basis.US_PERMANENT_RESIDENCY, None, facts=facts)
    if StatusRecord.Kind.PROTECTED_INDIVIDUAL in us_statuses:
        return Assessment(Outcome.US_PERSON, Basis.PROTECTED_INDIVIDUAL, None, facts=facts)

    foreign = [r for r in held if r.kind in (StatusRecord.Kind.CITIZENSHIP, StatusRecord.Kind.PERMANENT_RESIDENCY)]
    if not foreign:
        raise ValidationError(
            f"{person} has no citizenship or permanent residency held on {on}; "
            "record at least one before a determination."
        )
    latest = max(r.acquired_on for r in foreign)
    latest_countries = {r.country_id for r in foreign if r.acquired_on == latest}
    if len(latest_countries) > 1:
        # 734.13(b) needs one most recent status; two on one day cannot be ordered.
        raise ValidationError(
            f"{person} acquired statuses in {', '.join(sorted(latest_countries))} on the same day "
            f"({latest}); correct the dates so the most recent one is known."
        )
    itar = itar_countries(person.status_records.all(), on)
    return Assessment(Outcome.FOREIGN_PERSON, Basis.FOREIGN_CITIZENSHIP, latest_countries.pop(), itar, facts)


def itar_countries(records, on: datetime.date) -> tuple[str, ...]:
    """Return the countries a release is an export to under 22 CFR 120.51(b), as of `on`.

    Every citizenship the person holds or has held (a renounced one still
    counts, unlike for 734.13(b)) and every permanent residency they hold.
    """
    countries = set()
    for record in records:
        # A release to someone is never an export to the United States.
        if record.country_id == UNITED_STATES or record.acquired_on > on:
            continue
        if record.kind == StatusRecord.Kind.CITIZENSHIP:
            countries.add(record.country_id)
        elif record.kind == StatusRecord.Kind.PERMANENT_RESIDENCY and record.held_on(on):
            countries.add(record.country_id)
    return tuple(sorted(countries))


def assess_customer(customer: Customer, on: datetime.date) -> Assessment:
    """Assess an entity from where it is organised; an individual customer through their person record."""
    if customer.kind == Customer.Kind.INDIVIDUAL:
        holder = customer.persons.filter(relationship=Person.Relationship.ACCOUNT_HOLDER).first()
        if holder is None:
            raise ValidationError(f"{customer} is an individual: record them as the account-holder person first.")
        return assess_person(holder, on)
    incorporated = customer.country_of_incorporation_id
    facts = (f"Country of incorporation: {incorporated or 'none recorded'}",)
    if incorporated == UNITED_STATES:
        return Assessment(Outcome.US_PERSON, Basis.US_ORGANISATION, None, facts=facts)
    # International organisations and foreign governments have no U.S.
    # incorporation; their release is attributed to their headquarters.
    country = incorporated or customer.headquarters_country_id
    if country is None:
        raise ValidationError(
            {"country_of_incorporation": f"Record where {customer} is incorporated or headquartered."}
        )
    return Assessment(Outcome.FOREIGN_PERSON, Basis.FOREIGN_ORGANISATION, country, (country,), facts)


def assess(subject, on: datetime.date) -> Assessment:
    if isinstance(subject, Person):
        return assess_person(subject, on)
    return assess_customer(subject, on)
