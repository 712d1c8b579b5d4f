"""What the ownership rule says about a customer today, for its page: the chain of owners, and the share listed.

The decision reads the same rows in its one statement (`licensing.cases.facts`);
this reads them with the ORM for display and applies the same calculation
(`licensing.cases.rules.ownership.listed_share`).
"""

import datetime
from dataclasses import dataclass

from licensing.parties.models import Customer, Ownership
from licensing.screening.models import Hit

from .facts import OWNERSHIP_DEPTH, OwnershipFacts
from .models import OwnershipRulePeriod
from .rules.ownership import THRESHOLD, Share, listed_share


@dataclass(frozen=True)
class OwnershipStanding:
    period: OwnershipRulePeriod | None
    share: Share
    # (depth, edge) up the chain, the customer's own owners at depth 1.
    chain: list[tuple[int, Ownership]]

    @property
    def in_force(self) -> bool:
        return self.period is not None and self.period.status == OwnershipRulePeriod.Status.IN_FORCE

    @property
    def reached(self) -> bool:
        return self.share.listed >= THRESHOLD


def ownership_standing(customer: Customer, *, on: datetime.date) -> OwnershipStanding:
    """The ownership rule's period on `on`, the customer's owners up the chain, and how much listed parties hold."""
    chain: list[tuple[int, Ownership]] = []
    level = [customer.pk]
    seen = {customer.pk}
    for depth in range(1, OWNERSHIP_DEPTH + 1):
        edges = list(Ownership.objects.filter(owned_id__in=level).select_related("owner").order_by("-percentage"))
        chain += [(depth, edge) for edge in edges]
        level = [edge.owner_id for edge in edges if edge.owner_id is not None and edge.owner_id not in seen]
        seen.update(level)
        if not level:
            break
    owners = {edge.owner_id for _, edge in chain if edge.owner_id is not None}
    hits = list(Hit.objects.in_effect().filter(customer_id__in=owners).select_related("entry__version"))
    names = {edge.owner.pk: edge.owner.legal_name for _, edge in chain if edge.owner is not None}
    period = OwnershipRulePeriod.objects.governing_on(on).first()
    facts = OwnershipFacts(period=period, edges=[edge for _, edge in chain], hits=hits, owner_names=names)
    return OwnershipStanding(period=period, share=listed_share(facts, customer.pk), chain=chain)


def owned_below(customer_ids: list[int]) -> list[int]:
    """The customers these customers own, directly or through others, as deep as the decision reads owners."""
    found: set[int] = set()
    level = set(customer_ids)
    for _ in range(OWNERSHIP_DEPTH):
        level = set(Ownership.objects.filter(owner_id__in=level).values_list("owned_id", flat=True)) - found
        if not level:
            break
        found |= level
    return sorted(found)
