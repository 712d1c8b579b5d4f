"""Rule 3: the ownership rule (the Affiliates rule), while a period puts it in force.

A customer owned 50% or more, in aggregate, by listed parties inherits their
listing: ownership counts, not control, and the shares of all listed owners
are added up. An owner counts as listed when it has a confirmed match on a
list with an effect (`rules/list_effects.py`), or when it is itself
owned 50% or more by listed parties, up to `OWNERSHIP_DEPTH` levels of owners
(`licensing.cases.facts`). The customer is then treated as the listed owner
is by the screening rule: refused if any of the owners counted is on a list
that refuses, otherwise a licence is required, unless a licence issued since
the listing covers the request. Owners with hits still awaiting adjudication
hold the transaction when, counted as listed, they would reach the
threshold: the rule fails closed on what screening has not yet decided.

Owners recorded by name only (not customers) are not screened and never count.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from licensing.parties.models import Ownership
from licensing.screening.models import Hit, ListEntry

from ..facts import DecisionFacts, OwnershipFacts
from ..models import Decision, OwnershipRulePeriod
from .coverage import licence_coverage, release_country
from .list_effects import CONFIRMED_MATCH_EFFECTS
from .request import Evaluation, Request

THRESHOLD = Decimal(50)

Edges = dict[int, list[Ownership]]
HitsByCustomer = dict[int, list[Hit]]


@dataclass
class Share:
    """How much of one customer its listed owners hold, and which owners those are."""

    listed: Decimal = Decimal(0)
    # Held by owners with hits awaiting adjudication, or owned themselves by such owners.
    awaiting: Decimal = Decimal(0)
    listed_owners: list[str] = field(default_factory=list)
    awaiting_owners: list[str] = field(default_factory=list)
    effects: set[str] = field(default_factory=set)
    # The entries the listed owners are on, for the requirement they carry.
    entries: list[ListEntry] = field(default_factory=list)
    # When the last of the counted listings was found.
    listed_at: datetime.datetime | None = None

    def count_listing(self, found_at: datetime.datetime | None) -> None:
        if found_at is not None and (self.listed_at is None or found_at > self.listed_at):
            self.listed_at = found_at


def ownership(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """Give a customer owned 50% or more by listed parties their listing's outcome, while the rule is in force."""
    owned = facts.ownership
    period = owned.period
    if period is None or period.status != OwnershipRulePeriod.Status.IN_FORCE or not owned.edges:
        return None
    share = listed_share(owned, request.customer.pk)
    rule = f"{period.legal_basis} in force from {period.effective_from}"
    if share.listed >= THRESHOLD:
        held = (
            f"Owned {percent(share.listed)}% in aggregate by listed parties: {', '.join(share.listed_owners)} ({rule})"
        )
        if Decision.REFUSED in share.effects:
            return Evaluation(Decision.REFUSED, [held + ": refused, as the listed owner would be."])
        return _licence_required(request, facts, share, held)
    if share.listed + share.awaiting >= THRESHOLD:
        counted = ", ".join(share.listed_owners + share.awaiting_owners)
        return Evaluation(
            Decision.HOLD,
            [
                f"Owned {percent(share.listed + share.awaiting)}% in aggregate by parties listed or awaiting "
                f"adjudication of a screening hit: {counted} ({rule}): pending screening of the owners."
            ],
        )
    return None


def _licence_required(request: Request, facts: DecisionFacts, share: Share, held: str) -> Evaluation | None:
    per_transaction = any(
        requirement.application_per_transaction and requirement.covers_activity(request.activity)
        for requirement in facts.requirements
    )
    coverage = licence_coverage(
        request, facts, country=release_country(request, facts), per_transaction=per_transaction
    )
    licence = coverage.licence
    if licence is not None and (share.listed_at is None or licence.issued_at >= share.listed_at):
        # Issued since the owners were listed: the licence rule checks its scope.
        return None
    reasons = [held + ": a licence is required, as for the listed owner."]
    reasons += [
        f"{entry.name} on the {entry.list_name}: licence requirement: {entry.license_requirement or 'not stated'}"
        f"; licence review policy: {entry.license_policy or 'not stated'}"
        + (f" ({entry.federal_register_notice})" if entry.federal_register_notice else "")
        + "."
        for entry in share.entries
    ]
    if licence is not None:
        reasons.append(
            f"Licence {licence.number} was issued before the owners were listed and does not authorise what the "
            "listing requires: held pending the licence's review."
        )
        return Evaluation(Decision.HOLD, reasons)
    return Evaluation(Decision.LICENCE_REQUIRED, reasons)


def listed_share(owned: OwnershipFacts, customer_id: int) -> Share:
    """The share of this customer its listed owners hold, following owners' owners through the loaded edges."""
    edges: Edges = defaultdict(list)
    for edge in owned.edges:
        edges[edge.owned_id].append(edge)
    hits: HitsByCustomer = defaultdict(list)
    for hit in owned.hits:
        if hit.customer_id is not None and hit.entry.list_code in CONFIRMED_MATCH_EFFECTS:
            hits[hit.customer_id].append(hit)
    return _share(customer_id, frozenset({customer_id}), edges, hits, owned.owner_names)


def _share(customer_id: int, seen: frozenset[int], edges: Edges, hits: HitsByCustomer, names: dict[int, str]) -> Share:
    share = Share()
    for edge in edges[customer_id]:
        # An owner already on the path is a cycle: it adds nothing it has not already.
        if edge.owner_id is None or edge.owner_id in seen:
            continue
        name = f"{names.get(edge.owner_id) or edge.owner_name} ({percent(edge.percentage)}%"
        confirmed = [hit for hit in hits[edge.owner_id] if hit.status == Hit.Status.CONFIRMED]
        if confirmed:
            share.listed += edge.percentage
            share.listed_owners.append(name + ", " + "; ".join(_listed(hit) for hit in confirmed) + ")")
            share.effects.update(CONFIRMED_MATCH_EFFECTS[hit.entry.list_code] for hit in confirmed)
            share.entries += [hit.entry for hit in confirmed]
            for hit in confirmed:
                share.count_listing(hit.first_matched_at)
            continue
        above = _share(edge.owner_id, seen | {edge.owner_id}, edges, hits, names)
        if above.listed >= THRESHOLD:
            share.listed += edge.percentage
            share.listed_owners.append(
                name + f", itself owned {percent(above.listed)}% by listed parties: {', '.join(above.listed_owners)})"
            )
            share.effects |= above.effects
            share.entries += above.entries
            share.count_listing(above.listed_at)
            continue
        awaiting = [hit for hit in hits[edge.owner_id] if hit.status in Hit.AWAITING]
        if awaiting or above.listed + above.awaiting >= THRESHOLD:
            share.awaiting += edge.percentage
            why = ", ".join(f"hit #{hit.pk} on the {hit.entry.list_name}" for hit in awaiting) or "owners awaiting"
            share.awaiting_owners.append(name + f", {why})")
    return share


def _listed(hit: Hit) -> str:
    entry = hit.entry
    return f"{entry.list_name} entry {entry.name}, hit #{hit.pk}"


def percent(value: Decimal) -> str:
    """A percentage as an officer writes it: 35, 12.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
