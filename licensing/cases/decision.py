"""The decision for a transaction: authorised, hold, licence required, or refused, with reasons.

`evaluate` reads and never writes, so the transaction service and a read-only
access check can share it. It loads its facts in one query
(`licensing.cases.facts`) and `decide` applies the rules to them in the order
an officer would (`licensing.cases.rules`, where each rule is a function and
`RULES` is their order): the customer's standing, screening, embargoed
destinations, who the recipient is, where a release to them is attributed,
what the letters require, and whether a licence already covers it.

`evaluate_many` decides many requests at once, as `evaluate` decides each:
their facts come from the same statement in one query, read by the same code,
and the same rules are applied to each.
"""

import dataclasses
import datetime
from collections.abc import Sequence

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from .basis import basis_of
from .facts import DecisionFacts, FactsQuery, load_facts, load_facts_for_many
from .rules import (
    RULES,
    Coverage,
    Evaluation,
    Request,
    decide,
    default_destination,
    licence_coverage,
    release_country,
)

__all__ = [
    "RULES",
    "Coverage",
    "Evaluation",
    "Request",
    "decide",
    "default_destination",
    "evaluate",
    "evaluate_many",
    "licence_coverage",
    "live_decision",
    "release_country",
]


def live_decision(record, *, on: datetime.date | None = None) -> Evaluation:
    """Decide a recorded transaction again as of today, writing nothing: what the access check answers now."""
    return evaluate(Request.for_transaction(record), on=on or timezone.localdate())


def evaluate(request: Request, *, on: datetime.date) -> Evaluation:
    """Decide a transaction as of `on`, returning the decision and the reasons for it."""
    return _decided(request, load_facts(**_asked(request)._asdict(), on=on))


def evaluate_many(requests: Sequence[Request], *, on: datetime.date) -> list[Evaluation]:
    """Decide many transactions as of `on`, each as `evaluate` would alone, their facts loaded in one query."""
    facts = load_facts_for_many([_asked(request) for request in requests], on=on)
    return [_decided(request, found) for request, found in zip(requests, facts, strict=True)]


def _asked(request: Request) -> FactsQuery:
    return FactsQuery(
        customer=request.customer.external_id,
        item=request.item.code,
        person=request.person.external_id if request.person is not None else None,
        country=request.destination_country,
        activity=request.activity,
        transaction_id=request.transaction_id,
    )


def _decided(request: Request, facts: DecisionFacts) -> Evaluation:
    """The rules' outcome on the loaded facts, and the basis it was made on."""
    if facts.customer is None or facts.item is None:
        # The rows cannot be deleted, but their external id or code may have changed since the request was made:
        # refuse to decide rather than decide on rows that were not read.
        raise ObjectDoesNotExist(
            f"Customer {request.customer.external_id} or item {request.item.code} is recorded under another name now."
        )
    # Decide on the rows as they are now, not as the caller last saw them.
    fresh = dataclasses.replace(request, customer=facts.customer, person=facts.person, item=facts.item)
    outcome = decide(fresh, facts)
    outcome.basis = basis_of(facts)
    return outcome
