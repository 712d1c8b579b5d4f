"""The decision for a transaction: authorised, hold, licence required, or refused, with reasons.

`evaluate` reads and never writes, so the transaction service and a read-only
access check can share it. It loads its facts in one query
(`licensing.cases.facts`) and `decide` applies the rules to them in the order
an officer would: the customer's standing, screening, embargoed destinations,
who the recipient is, where a release to them is attributed, what the letters
require, and whether a licence already covers it.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, Person
from licensing.reference.models import (
    EMBARGO_GROUPS,
    UNITED_STATES,
    Activity,
    ControlledItem,
    LicenceRequirement,
)
from licensing.screening.decision import CONFIRMED_MATCH_EFFECTS, screening_outcome
from licensing.screening.models import Hit

from .facts import DecisionFacts, load_facts
from .models import Decision, Licence


@dataclass
class Evaluation:
    decision: str
    reasons: list[str]
    licence: Licence | None = None
    requirement: LicenceRequirement | None = None
    determination: ForeignPersonDetermination | None = None
    # HOLD because the recipient needs a (new) determination.
    needs_determination: bool = False
    attributed_country: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.decision == Decision.AUTHORISED


@dataclass(frozen=True)
class Request:
    customer: Customer
    person: Person | None
    item: ControlledItem
    activity: str
    destination_country: str
    quantity: object = None
    value: object = None
    # The transaction being decided, if any: a letter that wants one
    # application per transaction accepts only that transaction's own licence.
    transaction_id: int | None = None

    @property
    def recipient(self):
        return self.person or self.customer

    @classmethod
    def for_transaction(cls, record) -> "Request":
        """The request a recorded transaction makes, naming it so only its own licence counts."""
        return cls(
            customer=record.customer,
            person=record.person,
            item=record.item,
            activity=record.activity,
            destination_country=record.destination_country_id,
            quantity=record.quantity,
            value=record.value,
            transaction_id=record.pk,
        )


def live_decision(record, *, on: datetime.date | None = None) -> Evaluation:
    """Decide a recorded transaction again as of today, writing nothing: what the access check answers now."""
    return evaluate(Request.for_transaction(record), on=on or timezone.localdate())


def evaluate(request: Request, *, on: datetime.date) -> Evaluation:
    """Decide a transaction as of `on`, returning the decision and the reasons for it."""
    facts = load_facts(
        customer=request.customer.external_id,
        item=request.item.code,
        person=request.person.external_id if request.person is not None else None,
        country=request.destination_country,
        activity=request.activity,
        transaction_id=request.transaction_id,
        on=on,
    )
    # Decide on the rows as they are now, not as the caller last saw them.
    fresh = dataclasses.replace(request, customer=facts.customer, person=facts.person, item=facts.item)
    return decide(fresh, facts)


def decide(request: Request, facts: DecisionFacts) -> Evaluation:
    """Apply the rules to loaded facts; reads nothing more from the database."""
    on = facts.on
    customer = request.customer
    if customer.status == Customer.Status.BLOCKED:
        return Evaluation(Decision.REFUSED, [_with_reason(f"Customer {customer} is blocked", customer.status_reason)])
    if customer.status == Customer.Status.ON_HOLD:
        return Evaluation(Decision.HOLD, [_with_reason(f"Customer {customer} is on hold", customer.status_reason)])

    screened = screening_outcome(request, facts)
    if screened is not None:
        return screened

    if not facts.embargo_data_in_force:
        # Without country groups for the date nothing can be ruled out: fail closed.
        return Evaluation(Decision.HOLD, [f"No EAR country-group data is in force on {on}: cannot decide."])
    embargo = _embargo_groups(facts, request.destination_country)
    if embargo:
        return Evaluation(
            Decision.REFUSED,
            [
                f"Destination {request.destination_country} is in Country Group {', '.join(embargo)} "
                "(Supp. 1 to Part 740): refused outright."
            ],
        )

    recipient = request.recipient
    determination = facts.determination
    if determination is None:
        return Evaluation(
            Decision.HOLD,
            [f"No approved foreign-person determination for {recipient}: pending determination."],
            needs_determination=True,
        )
    if not determination.in_force_on(on):
        if on > determination.review_by:
            why = f"passed its review-by date ({determination.review_by})"
        else:
            why = f"takes effect only on {determination.effective_on}"
        return Evaluation(
            Decision.HOLD,
            [f"{determination} {why}: pending a new determination."],
            determination=determination,
            needs_determination=True,
        )

    deemed = request.activity in Activity.deemed()
    if deemed:
        country = determination.attribution_country_id
        described = (
            f"{recipient} is a foreign person; the release is attributed to {country} "
            f"(15 CFR 734.13(b), {determination})"
            if determination.is_foreign
            else f"{recipient} is a U.S. person ({determination.get_basis_display()}, {determination})"
        )
        embargo = _embargo_groups(facts, country) if country else ()
        if embargo:
            return Evaluation(
                Decision.REFUSED,
                [f"{described}; {country} is in Country Group {', '.join(embargo)}: refused outright."],
                determination=determination,
                attributed_country=country,
            )
    else:
        country = request.destination_country
        described = (
            f"{recipient} is a {'foreign' if determination.is_foreign else 'U.S.'} person "
            f"({determination}); destination {country}"
        )

    requirement = _first_applicable_requirement(request, facts, determination, country, deemed)
    if requirement is None:
        reason = (
            f"{described}; no licence requirement covers a release to a U.S. person."
            if not determination.is_foreign
            else f"{described}; no licence requirement in force covers {request.item.code} "
            f"for {request.activity.replace('_', ' ')} there."
        )
        return Evaluation(Decision.AUTHORISED, [reason], determination=determination, attributed_country=country)

    required = f"{described}; a licence is required by {requirement} ({requirement.legal_basis})"
    coverage = licence_coverage(
        request, facts, country=country, per_transaction=requirement.application_per_transaction
    )
    licence = coverage.licence
    if licence is not None:
        return Evaluation(
            Decision.AUTHORISED,
            [required + ".", f"Authorised under licence {licence.number}, valid until {licence.valid_until}."],
            licence=licence,
            requirement=requirement,
            determination=determination,
            attributed_country=country,
        )
    reasons = [required + "; no active licence covers this transaction."]
    reasons += coverage.shortfall
    if requirement.application_per_transaction:
        reasons.append("Each transaction needs its own licence application.")
    return Evaluation(
        Decision.LICENCE_REQUIRED,
        reasons,
        requirement=requirement,
        determination=determination,
        attributed_country=country,
    )


def _with_reason(text: str, reason: str) -> str:
    return f"{text}: {reason}" if reason else f"{text}."


def _embargo_groups(facts: DecisionFacts, country_code: str) -> tuple[str, ...]:
    return tuple(sorted(facts.groups_of(country_code) & set(EMBARGO_GROUPS)))


def _first_applicable_requirement(request, facts: DecisionFacts, determination, country, deemed):
    for requirement in facts.requirements:
        if not requirement.covers_activity(request.activity):
            continue
        scope = requirement.Scope
        if requirement.scope == scope.FOREIGN_PERSONS and determination.is_foreign:
            return requirement
        if requirement.scope == scope.ALL_DESTINATIONS and (
            determination.is_foreign or (not deemed and country != UNITED_STATES)
        ):
            return requirement
        if requirement.scope == scope.COUNTRY_GROUPS and country and (determination.is_foreign or not deemed):
            if requirement.group_codes & facts.groups_of(country):
                return requirement
    return None


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


def licensing_hits(facts: DecisionFacts):
    """Confirmed matches on lists whose entries need a licence (Entity List, MEU)."""
    return [
        hit
        for hit in facts.screening.hits
        if hit.status == Hit.Status.CONFIRMED
        and CONFIRMED_MATCH_EFFECTS.get(hit.entry.list_code) == Decision.LICENCE_REQUIRED
    ]
