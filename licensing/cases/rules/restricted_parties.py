"""Rule 2: what screening says about the parties to the request.

It reads the screening facts loaded with the rest of the decision's
(`licensing.cases.facts`): whether a list is in force, the hits in effect for
the customer, the person or the transaction's application parties, and what
each was last screened as. An open hit holds the transaction pending
screening; a confirmed match has its list's effect
(`rules/list_effects.py`), whatever licence was issued before the
listing; a subject never screened, or screened under other names or
addresses than it has now, is held too while lists are in force, so a failed
or late screening task fails closed.
"""

from licensing.screening.models import Hit
from licensing.screening.subjects import (
    customer_fingerprint,
    needs_own_screening,
    party_fingerprint,
    person_fingerprint,
)

from ..facts import DecisionFacts, ScreeningFacts
from ..models import Decision
from .coverage import licence_coverage, licensing_hits, release_country
from .list_effects import CONFIRMED_MATCH_EFFECTS
from .request import Evaluation, Request


def screening(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """Hold, refuse or require a licence for what screening found; nothing while no list is in force."""
    screened = facts.screening
    if not screened.lists_in_force:
        return None
    hits = screened.hits

    refusals = [
        h
        for h in hits
        if h.status == Hit.Status.CONFIRMED and CONFIRMED_MATCH_EFFECTS.get(h.entry.list_code) == Decision.REFUSED
    ]
    if refusals:
        return Evaluation(Decision.REFUSED, [_confirmed(h) + ": refused." for h in refusals])
    awaiting = [h for h in hits if h.status in Hit.AWAITING]
    for_counsel = [
        h for h in hits if h.status == Hit.Status.CONFIRMED and h.entry.list_code not in CONFIRMED_MATCH_EFFECTS
    ]
    unscreened = _unscreened(request, screened)
    if awaiting or for_counsel or unscreened:
        reasons = [
            f"Screening hit #{h.pk}: {h.subject_name} resembles {h.matched_name} on the {h.entry.list_name} "
            f"({h.entry.version}, score {h.score:.2f}); {h.get_status_display().lower()}: pending screening."
            for h in awaiting
        ]
        reasons += [
            _confirmed(h) + ": refer to counsel; the list's effect is not decided automatically." for h in for_counsel
        ]
        reasons += unscreened
        return Evaluation(Decision.HOLD, reasons)

    licensing = licensing_hits(facts)
    if not licensing:
        return None
    per_transaction = any(
        requirement.application_per_transaction and requirement.covers_activity(request.activity)
        for requirement in facts.requirements
    )
    coverage = licence_coverage(
        request, facts, country=release_country(request, facts), per_transaction=per_transaction
    )
    if coverage.licence is not None:
        # A licence issued since the listing exists; the licence rule checks its scope.
        return None
    reasons = [_listing(h) for h in licensing]
    if coverage.issued_before_listing:
        # BIS revokes or suspends such licences (750.8); until an officer has
        # reviewed them the transaction waits, whatever licence exists.
        reasons += [
            f"Licence {licence.number} was issued before the listing and does not authorise what it requires: "
            "held pending the licence's review."
            for licence in coverage.issued_before_listing
        ]
        return Evaluation(Decision.HOLD, reasons)
    return Evaluation(Decision.LICENCE_REQUIRED, reasons)


def _unscreened(request: Request, screened: ScreeningFacts) -> list[str]:
    """Why the customer, the person or an application party counts as not screened, if it does."""
    subjects = [
        (
            f"Customer {request.customer}",
            screened.customer_screened_as,
            customer_fingerprint(request.customer, screened.customer_addresses),
        )
    ]
    if request.person is not None:
        subjects.append((f"Person {request.person}", screened.person_screened_as, person_fingerprint(request.person)))
    for party in screened.parties:
        if needs_own_screening(role=party.role, name=party.name, linked_name=party.linked_name):
            subjects.append((f"Application party {party.name}", party.screened_as, party_fingerprint(party)))
    reasons = []
    for name, screened_as, now in subjects:
        if screened_as is None:
            reasons.append(f"{name} not yet screened against the restricted-party lists in force: pending screening.")
        elif screened_as != now:
            # Screened under other names or addresses (or before screenings recorded them): not screened as it is.
            reasons.append(f"{name} has other names or addresses than when last screened: pending screening of them.")
    return reasons


def _listing(hit: Hit) -> str:
    entry = hit.entry
    return (
        _confirmed(hit)
        + f": a licence is required; licence requirement: {entry.license_requirement or 'not stated'}"
        + f"; licence review policy: {entry.license_policy or 'not stated'}"
        + (f" ({entry.federal_register_notice})" if entry.federal_register_notice else "")
        + "."
    )


def _confirmed(hit: Hit) -> str:
    entry = hit.entry
    return f"{hit.subject_name} is {entry.name} on the {entry.list_name} (confirmed match, hit #{hit.pk})"
