"""Which licence covers a request: the one helper the screening rule and the licence rule both read."""

import datetime
from dataclasses import dataclass

from licensing.reference.models import Activity
from licensing.screening.models import Hit

from ..facts import DecisionFacts
from ..models import Decision, Licence
from .list_effects import CONFIRMED_MATCH_EFFECTS
from .request import Request


@dataclass(frozen=True)
class Coverage:
    """What the licences in the facts say about a request (see `licence_coverage`)."""

    licence: Licence | None
    # Why licences that would otherwise cover it do not.
    shortfall: list[str]
    # Licences that would cover it but were issued before a confirmed listing
    # of a party to it: they do not authorise what the listing requires.
    issued_before_listing: list[Licence]


def release_country(request: Request, facts: DecisionFacts) -> str | None:
    """The country a licence for the request must name: the destination, or a deemed release's attribution."""
    if request.activity not in Activity.deemed():
        return request.destination_country
    determination = facts.determination
    return determination.attribution_country_id if determination is not None else None


def licence_coverage(request: Request, facts: DecisionFacts, *, country: str | None, per_transaction: bool) -> Coverage:
    """The active licence covering the request, if any: the one rule the licence and screening steps both read.

    When the letter wants an application per transaction, only the licence
    issued on the transaction's own application covers it; a request that
    names no transaction (an access check asking in general) is covered by
    none. A licence issued before a party to the request was found on a list
    whose entries need a licence (Entity List, MEU) does not authorise what
    the listing newly requires.
    """
    candidates = [licence for licence in facts.licences if country is not None and licence.country_id == country]
    shortfall = []
    if per_transaction:
        if request.transaction_id is None:
            if candidates:
                shortfall.append(
                    "The licence requirement wants each transaction's own licence: "
                    "name the transaction to check it against the licence issued for it."
                )
            candidates = []
        else:
            candidates = [c for c in candidates if c.application_transaction_id == request.transaction_id]
    listed_at = listing_time(facts)
    issued_before_listing = []
    for licence in candidates:
        if licence.person_id is not None and licence.person_id != getattr(request.person, "pk", None):
            continue
        if licence.person_id is None and request.person is not None:
            is_employee = request.person.employer_id == request.customer.pk
            if not (licence.covers_employees and is_employee):
                continue
        if listed_at is not None and licence.issued_at < listed_at:
            issued_before_listing.append(licence)
            continue
        remaining_quantity = licence.remaining_quantity()
        if remaining_quantity is not None and (request.quantity or 0) > remaining_quantity:
            shortfall.append(f"Licence {licence.number} has only {remaining_quantity} units left.")
            continue
        remaining_value = licence.remaining_value()
        if remaining_value is not None and (request.value or 0) > remaining_value:
            shortfall.append(f"Licence {licence.number} has only {remaining_value} of value left.")
            continue
        return Coverage(licence, [], issued_before_listing)
    for licence in issued_before_listing:
        shortfall.append(
            f"Licence {licence.number} was issued before a party was listed and does not authorise "
            "what the listing requires."
        )
    return Coverage(None, shortfall, issued_before_listing)


def listing_time(facts: DecisionFacts) -> datetime.datetime | None:
    """When a party to the request was last found on a list whose confirmed entries need a licence, if ever."""
    times = [hit.first_matched_at for hit in licensing_hits(facts)]
    return max(times) if times else None


def licensing_hits(facts: DecisionFacts) -> list[Hit]:
    """Confirmed matches on lists whose entries need a licence (Entity List, MEU)."""
    return [
        hit
        for hit in facts.screening.hits
        if hit.status == Hit.Status.CONFIRMED
        and CONFIRMED_MATCH_EFFECTS.get(hit.entry.list_code) == Decision.LICENCE_REQUIRED
    ]
