"""What is screened for each kind of subject: its names, its type, and the countries that rank matches.

Each screening also records a fingerprint of the subject's names and
addresses as screened (`fingerprint_of`). A subject whose fingerprint differs
now was screened under other names or addresses: the decision treats it as
unscreened, and the hourly sweep screens it again.
"""

import hashlib
import json
import unicodedata

from django.db.models import QuerySet

from licensing.cases.models import ApplicationParty
from licensing.parties.models import Customer, Person

from .matching.index import Query
from .matching.names import ENTITY, INDIVIDUAL, UNKNOWN
from .models import SubjectKind

MODELS: dict[str, type[Customer] | type[Person] | type[ApplicationParty]] = {
    SubjectKind.CUSTOMER: Customer,
    SubjectKind.PERSON: Person,
    SubjectKind.PARTY: ApplicationParty,
}


def query_for(subject) -> Query:
    """The names, type and countries to screen a customer, person or application party by."""
    if isinstance(subject, Customer):
        countries = {subject.country_of_incorporation_id, subject.headquarters_country_id}
        countries.update(address.country_id for address in subject.addresses.all())
        kind = INDIVIDUAL if subject.kind == Customer.Kind.INDIVIDUAL else ENTITY
        names = (subject.legal_name, *subject.aliases)
    elif isinstance(subject, Person):
        countries = {subject.location_country_id}
        countries.update(record.country_id for record in subject.status_records.all())
        kind = INDIVIDUAL
        names = (f"{subject.given_name} {subject.family_name}",)
    elif isinstance(subject, ApplicationParty):
        countries = {subject.country_id}
        if subject.person_id:
            kind = INDIVIDUAL
        elif subject.customer is not None:
            kind = INDIVIDUAL if subject.customer.kind == Customer.Kind.INDIVIDUAL else ENTITY
        else:
            kind = UNKNOWN
        names = (subject.name,)
    else:
        raise TypeError(f"{subject!r} cannot be screened")
    names = tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    return Query(names=names, type=kind, countries=frozenset(c for c in countries if c))


def screened_on_its_own(party: ApplicationParty) -> bool:
    """Whether a party needs its own screening: not the applicant, and not just a copy of a screened record."""
    linked_name = None
    if party.person is not None:
        linked_name = str(party.person)
    elif party.customer is not None:
        linked_name = party.customer.legal_name
    return needs_own_screening(role=party.role, name=party.name, linked_name=linked_name)


def needs_own_screening(*, role: str, name: str, linked_name: str | None) -> bool:
    """The rule of `screened_on_its_own`, on values (the decision's facts carry the linked record's name)."""
    if role == ApplicationParty.Role.APPLICANT:
        return False
    if linked_name is None:
        return True
    return name.strip().casefold() != linked_name.strip().casefold()


def _normalised(text) -> str:
    # Case, accents' composition and spacing do not change what is screened.
    return " ".join(unicodedata.normalize("NFKC", str(text or "")).casefold().split())


def fingerprint(*, names, addresses) -> str:
    """A digest of normalised names and addresses (tuples of parts); their order does not matter."""
    canonical = [
        sorted({_normalised(name) for name in names if _normalised(name)}),
        sorted({tuple(_normalised(part) for part in address) for address in addresses}),
    ]
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def customer_fingerprint(customer: Customer, addresses) -> str:
    """The fingerprint of a customer with these `CustomerAddress` rows."""
    return fingerprint(
        names=(customer.legal_name, *(customer.aliases or ())),
        addresses=[
            ("incorporated", customer.country_of_incorporation_id),
            ("headquarters", customer.headquarters_country_id),
            *((a.kind, a.line1, a.line2, a.city, a.region, a.postal_code, a.country_id) for a in addresses),
        ],
    )


def person_fingerprint(person: Person) -> str:
    return fingerprint(
        names=(f"{person.given_name} {person.family_name}",), addresses=[("located", person.location_country_id)]
    )


def party_fingerprint(party: ApplicationParty) -> str:
    return fingerprint(
        names=(party.name,), addresses=[(party.address, party.city, party.postal_code, party.country_id)]
    )


def fingerprint_of(subject) -> str:
    """The fingerprint of a customer, person or application party as it is now."""
    if isinstance(subject, Customer):
        return customer_fingerprint(subject, subject.addresses.all())
    if isinstance(subject, Person):
        return person_fingerprint(subject)
    if isinstance(subject, ApplicationParty):
        return party_fingerprint(subject)
    raise TypeError(f"{subject!r} cannot be screened")


def subjects_of_kind(kind: str) -> QuerySet:
    """Every subject of a kind that screening covers, ready for `query_for`."""
    if kind == SubjectKind.CUSTOMER:
        return Customer.objects.prefetch_related("addresses")
    if kind == SubjectKind.PERSON:
        return Person.objects.prefetch_related("status_records")
    return ApplicationParty.objects.exclude(role=ApplicationParty.Role.APPLICANT).select_related("customer", "person")
