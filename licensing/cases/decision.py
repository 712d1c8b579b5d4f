"""The decision for a transaction: authorised, hold, licence required, or refused, with reasons.

`evaluate` reads and never writes, so the transaction service and a read-only
access check can share it. The order of the checks is the order an officer
would apply them: the customer's standing, embargoed destinations, who the
recipient is, where a release to them is attributed, what the letters require,
and whether a licence already covers it.
"""

import datetime
from dataclasses import dataclass, field

from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, Person
from licensing.reference.models import (
    EMBARGO_GROUPS,
    UNITED_STATES,
    Activity,
    ControlledItem,
    LicenceRequirement,
    embargo_data_in_force,
    groups_of,
)
from licensing.screening.decision import screening_outcome

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


def evaluate(request: Request, *, on: datetime.date) -> Evaluation:
    """Decide a transaction as of `on`, returning the decision and the reasons for it."""
    customer = request.customer
    if customer.status == Customer.Status.BLOCKED:
        return Evaluation(Decision.REFUSED, [_with_reason(f"Customer {customer} is blocked", customer.status_reason)])
    if customer.status == Customer.Status.ON_HOLD:
        return Evaluation(Decision.HOLD, [_with_reason(f"Customer {customer} is on hold", customer.status_reason)])

    screened = screening_outcome(request, on=on)
    if screened is not None:
        return screened

    if not embargo_data_in_force(on):
        # Without country groups for the date nothing can be ruled out: fail closed.
        return Evaluation(Decision.HOLD, [f"No EAR country-group data is in force on {on}: cannot decide."])
    embargo = _embargo_groups(request.destination_country, on)
    if embargo:
        return Evaluation(
            Decision.REFUSED,
            [
                f"Destination {request.destination_country} is in Country Group {', '.join(embargo)} "
                "(Supp. 1 to Part 740): refused outright."
            ],
        )

    recipient = request.recipient
    determination = ForeignPersonDetermination.objects.for_subject(recipient).approved().first()
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
        embargo = _embargo_groups(country, on) if country else ()
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

    requirement = _first_applicable_requirement(request, determination, country, deemed, on)
    if requirement is None:
        reason = (
            f"{described}; no licence requirement covers a release to a U.S. person."
            if not determination.is_foreign
            else f"{described}; no licence requirement in force covers {request.item.code} "
            f"for {request.activity.replace('_', ' ')} there."
        )
        return Evaluation(Decision.AUTHORISED, [reason], determination=determination, attributed_country=country)

    required = f"{described}; a licence is required by {requirement} ({requirement.legal_basis})"
    licence, shortfall = _covering_licence(request, country, on, requirement.application_per_transaction)
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
    reasons += shortfall
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


def _embargo_groups(country_code: str, on: datetime.date) -> tuple[str, ...]:
    return tuple(sorted(groups_of(country_code, on) & set(EMBARGO_GROUPS)))


def _first_applicable_requirement(request, determination, country, deemed, on):
    requirements = (
        LicenceRequirement.objects.in_force_on(on)
        .filter(items=request.item)
        .prefetch_related("country_groups")
        .order_by("effective_from", "pk")
    )
    for requirement in requirements:
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
            wanted = {g.code for g in requirement.country_groups.all()}
            if wanted & groups_of(country, on):
                return requirement
    return None


def _covering_licence(request: Request, country: str, on: datetime.date, per_transaction: bool):
    """Return (licence, []) for an active licence covering the request, else (None, why not)."""
    candidates = Licence.objects.active_on(on).filter(
        customer=request.customer, item=request.item, activity=request.activity, country_id=country
    )
    if per_transaction and request.transaction_id is not None:
        candidates = candidates.filter(application__transaction_id=request.transaction_id)
    shortfall = []
    for licence in candidates.order_by("valid_until"):
        if licence.person_id is not None and licence.person_id != getattr(request.person, "pk", None):
            continue
        if licence.person_id is None and request.person is not None:
            is_employee = request.person.employer_id == request.customer.pk
            if not (licence.covers_employees and is_employee):
                continue
        remaining_quantity = licence.remaining_quantity()
        if remaining_quantity is not None and (request.quantity or 0) > remaining_quantity:
            shortfall.append(f"Licence {licence.number} has only {remaining_quantity} units left.")
            continue
        remaining_value = licence.remaining_value()
        if remaining_value is not None and (request.value or 0) > remaining_value:
            shortfall.append(f"Licence {licence.number} has only {remaining_value} of value left.")
            continue
        return licence, []
    return None, shortfall
