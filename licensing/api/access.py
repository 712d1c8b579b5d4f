"""The access check: may billing grant this recipient this item now? Read-only, decided afresh each time.

It asks the same rules as a posted transaction (`licensing.cases.decision.decide`)
of facts loaded in one query, and caches nothing, so a revoked licence, a new
hold or a blocked customer shows in the very next answer.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from licensing.cases.decision import Request, decide
from licensing.cases.facts import CompanionRead, DecisionFacts, load_facts
from licensing.cases.models import Decision, Licence
from licensing.parties.models import Customer, Person
from licensing.reference.models import Activity


class UnknownParty(Exception):
    """The customer or person named is not known; the message names which."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AccessAnswer:
    allowed: bool
    decision: str
    reasons: list[str]
    licence: Licence | None
    attributed_country: str | None
    checked_at: datetime.datetime


def access_facts(
    *,
    customer: str,
    item: str,
    person: str | None = None,
    activity: str | None = None,
    country: str | None = None,
    companion: CompanionRead | None = None,
    companion_value=None,
) -> DecisionFacts:
    """Load, in one statement, what the check decides from (and the caller's companion read, if any)."""
    return load_facts(
        customer=customer,
        item=item,
        person=person,
        country=country,
        activity=activity or Activity.EXPORT,
        transaction_id=None,
        on=timezone.localdate(),
        companion=companion,
        companion_value=companion_value,
    )


def check_access(
    *,
    customer: str,
    item: str,
    person: str | None = None,
    activity: str | None = None,
    country: str | None = None,
    facts: DecisionFacts | None = None,
) -> AccessAnswer:
    """Decide, without writing anything, whether access may be granted now.

    `facts`, if given, are what `access_facts` loaded for these same values
    within this request; otherwise they are loaded here.
    """
    checked_at = timezone.now()
    activity = activity or Activity.EXPORT
    if facts is None:
        facts = access_facts(customer=customer, item=item, person=person, activity=activity, country=country)
    if facts.customer is None:
        raise UnknownParty("customer", f"No customer has external_id {customer}.")
    if facts.item is None:
        raise UnknownParty("item", f"No controlled item has the code {item}.")
    if person is not None and facts.person is None:
        raise UnknownParty("person", f"Customer {customer} has no person with external_id {person}.")
    destination = country or _default_destination(facts.customer, facts.person)
    if destination is None:
        raise UnknownParty("country", f"Give the country: customer {customer} has no country recorded.")
    result = decide(
        Request(
            customer=facts.customer,
            person=facts.person,
            item=facts.item,
            activity=activity,
            destination_country=destination,
        ),
        facts,
    )
    return AccessAnswer(
        # Only an explicit authorisation grants access; every other outcome,
        # including ones added to the rules later, refuses it.
        allowed=result.decision == Decision.AUTHORISED,
        decision=result.decision,
        reasons=list(result.reasons),
        licence=result.licence,
        attributed_country=result.attributed_country,
        checked_at=checked_at,
    )


def _default_destination(customer: Customer, person: Person | None) -> str | None:
    if person is not None:
        return person.location_country_id
    return customer.country_of_incorporation_id or customer.headquarters_country_id
