"""What a decision was made under, kept beside it so that it can be replayed later (`licensing.cases.replay`).

Dated rows (requirements, relaxations, memberships, periods of the ownership
rule) are never edited in place, so naming the ones in force is enough. Rows
that change in place (a hit's status, a customer's standing, whether a
subject's screening still matches its names, a licence's status) are kept
with the value the decision read.
"""

import datetime
from typing import Any

from licensing.screening.subjects import customer_fingerprint, party_fingerprint, person_fingerprint

from .facts import DecisionFacts

# Raised whenever the basis gains a field: a replay names what an older basis lacks.
BASIS_VERSION = 1

# What a subject's latest screening was of, at the decision: its names then, other names, or never screened.
SCREENED_AS_IT_WAS = "current"
SCREENED_AS_OTHERS = "other"
NEVER_SCREENED = "never"


def basis_of(facts: DecisionFacts) -> dict[str, Any]:
    """The compact record of the facts a decision read: ids of the dated rows, values of the changing ones."""
    screened = facts.screening
    owned = facts.ownership
    customer = facts.customer
    return {
        "version": BASIS_VERSION,
        "on": facts.on.isoformat(),
        "requirements": [requirement.pk for requirement in facts.requirements],
        "relaxations": [relaxation.pk for relaxation in facts.relaxations],
        "determination": facts.determination.pk if facts.determination is not None else None,
        "licences": [licence.pk for licence in facts.licences],
        "lists_in_force": screened.lists_in_force,
        "hits": [[hit.pk, hit.status] for hit in screened.hits],
        "customer": (
            {"status": customer.status, "status_reason": customer.status_reason} if customer is not None else None
        ),
        "screened": _screened(facts),
        "ownership": {
            "period": owned.period.pk if owned.period is not None else None,
            "edges": [[edge.pk, edge.owned_id, edge.owner_id, str(edge.percentage)] for edge in owned.edges],
            "hits": [[hit.pk, hit.status] for hit in owned.hits],
        },
        "stamp": list(facts.stamp) if facts.stamp is not None else None,
    }


def with_time(basis: dict[str, Any], *, at: datetime.datetime, list_versions: list[int]) -> dict[str, Any]:
    """The basis as recorded: when the decision was made and the list versions in force then."""
    return {**basis, "at": at.isoformat(), "list_versions": list_versions}


def _screened(facts: DecisionFacts) -> dict[str, str]:
    screened = facts.screening
    found = {}
    if facts.customer is not None:
        found["customer"] = _status(
            screened.customer_screened_as, customer_fingerprint(facts.customer, screened.customer_addresses)
        )
    if facts.person is not None:
        found["person"] = _status(screened.person_screened_as, person_fingerprint(facts.person))
    for party in screened.parties:
        found[f"party:{party.pk}"] = _status(party.screened_as, party_fingerprint(party))
    return found


def _status(screened_as: str | None, now: str) -> str:
    if screened_as is None:
        return NEVER_SCREENED
    return SCREENED_AS_IT_WAS if screened_as == now else SCREENED_AS_OTHERS
