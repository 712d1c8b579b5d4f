"""What is screened for each kind of subject: its names, its type, and the countries that rank matches."""

from django.db.models import QuerySet

from licensing.cases.models import ApplicationParty
from licensing.parties.models import Customer, Person

from .matching.index import Query
from .matching.names import ENTITY, INDIVIDUAL, UNKNOWN
from .models import SubjectKind

MODELS = {SubjectKind.CUSTOMER: Customer, SubjectKind.PERSON: Person, SubjectKind.PARTY: ApplicationParty}


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
        elif subject.customer_id:
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
    if party.role == ApplicationParty.Role.APPLICANT:
        return False
    linked = party.person or party.customer
    if linked is None:
        return True
    linked_name = str(linked) if party.person_id else linked.legal_name
    return party.name.strip().casefold() != linked_name.strip().casefold()


def subjects_of_kind(kind: str) -> QuerySet:
    """Every subject of a kind that screening covers, ready for `query_for`."""
    if kind == SubjectKind.CUSTOMER:
        return Customer.objects.prefetch_related("addresses")
    if kind == SubjectKind.PERSON:
        return Person.objects.prefetch_related("status_records")
    return ApplicationParty.objects.exclude(role=ApplicationParty.Role.APPLICANT).select_related("customer", "person")
