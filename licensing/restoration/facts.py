"""What triage reads about each subject, loaded for many subjects at once.

`load_customer_facts` and `load_person_facts` read customers, persons,
addresses, ownership edges, status records, screening state, attestation
links and the embargo groups in a handful of queries per
chunk, whatever the chunk's size, so triaging a book of 100,000 customers
costs a few hundred queries, not a million. The rules then run in Python on
these plain values and read nothing more.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from licensing.attestations.models import Attestation
from licensing.parties.models import Customer, CustomerAddress, Ownership, Person, StatusRecord
from licensing.reference.models import EMBARGO_GROUPS, CountryGroupMembership
from licensing.screening.models import Hit, ListVersion, SubjectScreening
from licensing.screening.subjects import customer_fingerprint, person_fingerprint

from .lookups import among

CUSTOMER = "customer"
PERSON = "person"


@dataclass(frozen=True)
class OwnerFact:
    name: str
    percentage: Decimal
    # The owner's country of incorporation (or headquarters) when it is a customer; None when not known.
    country: str | None


@dataclass(frozen=True)
class StatusFact:
    kind: str
    country: str
    acquired_on: datetime.date


@dataclass(frozen=True)
class SubjectFacts:
    kind: str  # CUSTOMER or PERSON
    subject_id: int
    label: str
    on: datetime.date
    entity: bool = False
    incorporated: str | None = None
    headquarters: str | None = None
    address_countries: tuple[str, ...] = ()
    owners: tuple[OwnerFact, ...] = ()
    location: str | None = None
    # Citizenships, permanent residencies and protected status held on `on`
    # (for an individual customer, its account holder's).
    statuses: tuple[StatusFact, ...] = ()
    open_hits: tuple[str, ...] = ()
    confirmed_hits: tuple[str, ...] = ()
    # Screened as it is now (the fingerprint of its names and addresses unchanged since), as the decision reads it.
    screened: bool = False
    ever_screened: bool = False
    lists_in_force: bool = False
    embargoed: frozenset[str] = field(default_factory=frozenset)
    # The subject's latest attestation link and where it stands ("sent 2026-12-01", "submitted 2026-12-03").
    attestation: str | None = None


def embargoed_countries(on: datetime.date) -> frozenset[str]:
    """The countries in Country Group E:1 or E:2 on `on`."""
    return frozenset(
        CountryGroupMembership.objects.in_force_on(on)
        .filter(group_id__in=EMBARGO_GROUPS)
        .values_list("country_id", flat=True)
    )


def _statuses(person_ids: Iterable[int], on: datetime.date) -> dict[int, tuple[StatusFact, ...]]:
    held: dict[int, list[StatusFact]] = defaultdict(list)
    rows = StatusRecord.objects.filter(**among("person_id", person_ids), acquired_on__lte=on).values_list(
        "person_id", "kind", "country_id", "acquired_on", "ended_on"
    )
    for person_id, kind, country, acquired_on, ended_on in rows:
        if ended_on is None or ended_on > on:
            held[person_id].append(StatusFact(kind, country, acquired_on))
    return {person_id: tuple(facts) for person_id, facts in held.items()}


def _hits(field_name: str, ids: Iterable[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    awaiting: dict[int, list[str]] = defaultdict(list)
    confirmed: dict[int, list[str]] = defaultdict(list)
    rows = (
        Hit.objects.in_effect()
        .filter(**among(f"{field_name}_id", ids))
        .values_list(field_name, "status", "matched_name", "entry__list_code")
    )
    for subject_id, status, matched_name, list_code in rows:
        text = f"{matched_name} ({list_code})"
        (confirmed if status == Hit.Status.CONFIRMED else awaiting)[subject_id].append(text)
    return awaiting, confirmed


def _screened_as(field_name: str, ids: Iterable[int]) -> dict[int, str]:
    """The fingerprint each subject's latest screening recorded ("" if from before fingerprints); absent: never."""
    return dict(
        SubjectScreening.objects.filter(**among(f"{field_name}_id", ids)).values_list(field_name, "fingerprint")
    )


def _lists_in_force() -> bool:
    return ListVersion.objects.in_force().exists()


def _customers_as_screened(customer_ids: list[int]) -> dict[int, str]:
    """Each customer's fingerprint as it is now: what a screening of it now would record."""
    addresses: dict[int, list[CustomerAddress]] = defaultdict(list)
    for address in CustomerAddress.objects.filter(**among("customer_id", customer_ids)).only(
        "customer_id", "kind", "line1", "line2", "city", "region", "postal_code", "country_id"
    ):
        addresses[address.customer_id].append(address)
    customers = Customer.objects.filter(**among("id", customer_ids)).only(
        "legal_name", "aliases", "country_of_incorporation_id", "headquarters_country_id"
    )
    return {customer.pk: customer_fingerprint(customer, addresses.get(customer.pk, [])) for customer in customers}


def _attestations(field_name: str, ids: Iterable[int]) -> dict[int, str]:
    latest: dict[int, str] = {}
    found = Attestation.objects.filter(**among(f"{field_name}_id", ids))
    if field_name == "customer":
        # A seat's link names its customer too; only the customer's own links speak for it.
        found = found.filter(person__isnull=True)
    rows = found.order_by(field_name, "-sent_at", "-pk").values_list(field_name, "status", "sent_at", "submitted_at")
    for subject_id, status, sent_at, submitted_at in rows:
        if subject_id not in latest:
            when = submitted_at or sent_at
            latest[subject_id] = f"{status} {when:%Y-%m-%d}"
    return latest


def load_customer_facts(customer_ids: list[int], on: datetime.date) -> list[SubjectFacts]:
    """Load the facts of these customers in a fixed number of queries."""
    embargoed = embargoed_countries(on)
    customers = list(
        Customer.objects.filter(**among("id", customer_ids)).values_list(
            "pk", "kind", "legal_name", "country_of_incorporation_id", "headquarters_country_id"
        )
    )
    addresses: dict[int, set[str]] = defaultdict(set)
    for customer_id, country in CustomerAddress.objects.filter(**among("customer_id", customer_ids)).values_list(
        "customer_id", "country_id"
    ):
        addresses[customer_id].add(country)
    owners: dict[int, list[OwnerFact]] = defaultdict(list)
    edges = Ownership.objects.filter(**among("owned_id", customer_ids)).values_list(
        "owned_id",
        "owner__legal_name",
        "owner_name",
        "percentage",
        "owner__country_of_incorporation_id",
        "owner__headquarters_country_id",
    )
    for owned_id, owner_legal_name, owner_name, percentage, owner_incorporated, owner_hq in edges:
        owners[owned_id].append(
            OwnerFact(owner_legal_name or owner_name, percentage, owner_incorporated or owner_hq or None)
        )
    # An individual customer is assessed through its account holder's statuses.
    holders = dict(
        Person.objects.filter(**among("customer_id", customer_ids), relationship=Person.Relationship.ACCOUNT_HOLDER)
        .order_by("customer_id", "pk")
        .values_list("customer_id", "pk")
    )
    statuses = _statuses(holders.values(), on)
    awaiting, confirmed = _hits("customer", customer_ids)
    screened_as = _screened_as("customer", customer_ids)
    lists_in_force = _lists_in_force()
    # Only not_screened reads whether a screening is of the subject as it is now, and only while a list is in force.
    as_now = _customers_as_screened(customer_ids) if lists_in_force else {}
    attested = _attestations("customer", customer_ids)
    return [
        SubjectFacts(
            kind=CUSTOMER,
            subject_id=pk,
            label=legal_name,
            on=on,
            entity=kind == Customer.Kind.ENTITY,
            incorporated=incorporated,
            headquarters=headquarters,
            address_countries=tuple(sorted(addresses.get(pk, ()))),
            owners=tuple(owners.get(pk, ())),
            statuses=statuses.get(holders[pk], ()) if pk in holders else (),
            open_hits=tuple(awaiting.get(pk, ())),
            confirmed_hits=tuple(confirmed.get(pk, ())),
            screened=pk in screened_as and (not lists_in_force or screened_as[pk] == as_now.get(pk)),
            ever_screened=pk in screened_as,
            lists_in_force=lists_in_force,
            embargoed=embargoed,
            attestation=attested.get(pk),
        )
        for pk, kind, legal_name, incorporated, headquarters in customers
    ]


def _screened_as_it_is(screened_as: dict[int, str], pk: int, given: str, family: str, location: str) -> bool:
    # The fingerprint a screening of the person now would record (names and location only).
    now = person_fingerprint(Person(given_name=given, family_name=family, location_country_id=location))
    return screened_as.get(pk) == now


def load_person_facts(person_ids: list[int], on: datetime.date) -> list[SubjectFacts]:
    """Load the facts of these persons in a fixed number of queries."""
    embargoed = embargoed_countries(on)
    persons = list(
        Person.objects.filter(**among("id", person_ids)).values_list(
            "pk", "given_name", "family_name", "location_country_id"
        )
    )
    statuses = _statuses(person_ids, on)
    awaiting, confirmed = _hits("person", person_ids)
    screened_as = _screened_as("person", person_ids)
    lists_in_force = _lists_in_force()
    attested = _attestations("person", person_ids)
    return [
        SubjectFacts(
            kind=PERSON,
            subject_id=pk,
            label=f"{given} {family}",
            on=on,
            location=location,
            statuses=statuses.get(pk, ()),
            open_hits=tuple(awaiting.get(pk, ())),
            confirmed_hits=tuple(confirmed.get(pk, ())),
            # Only not_screened reads it, and only while a list is in force.
            screened=pk in screened_as
            and (not lists_in_force or _screened_as_it_is(screened_as, pk, given, family, location)),
            ever_screened=pk in screened_as,
            lists_in_force=lists_in_force,
            embargoed=embargoed,
            attestation=attested.get(pk),
        )
        for pk, given, family, location in persons
    ]
