"""The decision's rules, as an ordered table.

Each rule is a small function of the request and the loaded facts
(`licensing.cases.facts`) that returns an Evaluation, the outcome and its
reasons, or None to let the next rule speak. `decide` asks them in the order
of `RULES`, which is the order an officer would (README, "The decision"): the
first outcome stands, and what every rule lets through is authorised, saying
why. A rule may rely on the rules before it: from `attribution` on, the
recipient has a determination in force.

To add a rule, write the function in the module of its concern, put it in
`RULES` at its place, and add its row to `tests/cases/test_rules.py`.
"""

from collections.abc import Callable

from ..facts import DecisionFacts
from .coverage import Coverage, licence_coverage, release_country
from .destinations import attribution, default_destination, embargo
from .licences import authorised_otherwise, licence_requirement
from .ownership import ownership
from .recipient import determination
from .request import Evaluation, Request
from .restricted_parties import screening
from .standing import customer_standing

Rule = Callable[[Request, DecisionFacts], Evaluation | None]

RULES: tuple[Rule, ...] = (
    customer_standing,
    screening,
    ownership,
    embargo,
    determination,
    attribution,
    licence_requirement,
)


def decide(request: Request, facts: DecisionFacts) -> Evaluation:
    """Apply the rules to loaded facts in order; reads nothing more from the database."""
    for rule in RULES:
        outcome = rule(request, facts)
        if outcome is not None:
            return outcome
    return authorised_otherwise(request, facts)


__all__ = [
    "RULES",
    "Coverage",
    "Evaluation",
    "Request",
    "Rule",
    "attribution",
    "authorised_otherwise",
    "customer_standing",
    "decide",
    "default_destination",
    "determination",
    "embargo",
    "licence_coverage",
    "licence_requirement",
    "ownership",
    "release_country",
    "screening",
]
