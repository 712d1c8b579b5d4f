"""The simulator: the book decided twice, as the law stands and with a draft change, writing nothing.

A draft is never law data. Its rows (a relaxation, or a new requirement) are
built here in memory and added to the facts each subject's decision loads
(`with_draft`), so the two decisions differ only by the change. The
subjects are what the change can reach: every customer asked about each
item the change touches (the access check's question, to the customer's
home), and every held or licence-awaiting transaction of those items. A
change about one requirement cannot alter a decision about an item that
requirement does not cover, so other items are not decided.
"""

import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from licensing.cases.decision import Evaluation, Request, default_destination
from licensing.cases.facts import DecisionFacts, load_facts
from licensing.cases.models import Decision, LicenceApplication, Transaction
from licensing.cases.party_facts import load_party_facts
from licensing.cases.rules import RULES, authorised_otherwise, licence_requirement
from licensing.parties.models import Customer, Person
from licensing.reference.models import (
    Activity,
    ControlledItem,
    CountryGroupMembership,
    LicenceRequirement,
    RequirementRelaxation,
)

from .models import RuleChange

# The counts a simulation keeps, overall and per country.
COUNTS = (
    "subjects",
    "changed",
    "released",
    "newly_refused",
    "newly_held",
    "newly_licence_required",
    "licences_unnecessary",
    "applications_withdrawable",
    "not_decided",
)
PENDING = (Decision.HOLD, Decision.LICENCE_REQUIRED)
# Subjects whose decision changes are kept one by one up to this many; the counts cover every one.
DIFF_ROWS_KEPT = 1000


@dataclass(frozen=True)
class DraftRows:
    """The law data a change would write, in memory: what `with_draft` adds to loaded facts."""

    relaxation: RequirementRelaxation | None
    requirement: LicenceRequirement | None
    item_ids: frozenset[int]
    # The destinations a change for a country group can reach on the day (its members); None: any.
    # A release that is not deemed goes to its destination, so elsewhere the change alters nothing.
    destinations: frozenset[str] | None = None

    def may_alter(self, request: Request) -> bool:
        """Whether the change can alter the decision on this request at all, from the request alone."""
        relaxation = self.relaxation
        if relaxation is not None and relaxation.kind == RequirementRelaxation.Kind.CUSTOMERS:
            return request.customer.pk in relaxation.customer_ids
        if self.destinations is not None and request.activity not in Activity.deemed():
            return request.destination_country in self.destinations
        return True


def draft_rows(change: RuleChange, on: datetime.date) -> DraftRows:
    """Build, unsaved, the rows approving `change` would write, as if in force on `on`."""
    if change.kind == RuleChange.Kind.ADD_REQUIREMENT:
        assert change.item_id is not None
        requirement = LicenceRequirement(
            # Never saved: an id no stored requirement has, so no stored relaxation lifts it.
            pk=-change.pk,
            title=change.title,
            legal_basis=change.legal_basis,
            activities=list(change.activities),
            scope=change.scope,
            application_per_transaction=True,
            effective_from=on,
        )
        requirement.group_codes = {change.country_group_id} if change.country_group_id else set()
        return DraftRows(
            relaxation=None,
            requirement=requirement,
            item_ids=frozenset({change.item_id}),
            destinations=_members(change.country_group_id, on)
            if change.scope == LicenceRequirement.Scope.COUNTRY_GROUPS
            else None,
        )
    assert change.requirement_id is not None, "a relaxation names its requirement (RuleChange.clean)"
    relaxation = RequirementRelaxation(
        requirement_id=change.requirement_id,
        kind=change.relaxation_kind(),
        country_group_id=change.country_group_id if change.kind == RuleChange.Kind.RELAX_COUNTRY_GROUP else None,
        item_id=change.item_id if change.kind == RuleChange.Kind.RELAX_ITEM else None,
        effective_from=on,
        change_number=change.pk,
    )
    relaxation.customer_ids = set(change.customers.values_list("pk", flat=True))
    return DraftRows(
        relaxation=relaxation,
        requirement=None,
        item_ids=frozenset(affected_item_ids(change)),
        destinations=_members(change.country_group_id, on)
        if change.kind == RuleChange.Kind.RELAX_COUNTRY_GROUP
        else None,
    )


def _members(group: str | None, on: datetime.date) -> frozenset[str]:
    return frozenset(
        CountryGroupMembership.objects.in_force_on(on).filter(group_id=group).values_list("country_id", flat=True)
    )


def affected_item_ids(change: RuleChange) -> set[int]:
    """The items whose decisions the change can alter."""
    if change.kind in (RuleChange.Kind.RELAX_ITEM, RuleChange.Kind.ADD_REQUIREMENT):
        return {change.item_id} if change.item_id else set()
    assert change.requirement is not None
    return set(change.requirement.items.values_list("pk", flat=True))


def with_draft(facts: DecisionFacts, draft: DraftRows) -> DecisionFacts:
    """The same facts with the draft's rows added, as the decision would load them were the change in force."""
    if draft.relaxation is not None:
        return dataclasses.replace(facts, relaxations=[*facts.relaxations, draft.relaxation])
    requirement = draft.requirement
    if requirement is None or facts.item is None or facts.item.pk not in draft.item_ids:
        return facts
    requirements = sorted([*facts.requirements, requirement], key=lambda r: (r.effective_from, r.pk))
    return dataclasses.replace(facts, requirements=requirements)


@dataclass
class Tally:
    """What a chunk of subjects (or the whole run) found: counts overall, per country, and the first differences."""

    totals: Counter = field(default_factory=Counter)
    by_country: dict[str, Counter] = field(default_factory=dict)
    licences: set[int] = field(default_factory=set)
    applications: set[int] = field(default_factory=set)
    differences: list[dict] = field(default_factory=list)

    def count(self, country: str | None, name: str) -> None:
        self.totals[name] += 1
        self.by_country.setdefault(country or "unknown", Counter())[name] += 1

    def as_json(self) -> dict:
        return {
            "totals": {name: self.totals.get(name, 0) for name in COUNTS},
            "by_country": {
                country: {name: counts.get(name, 0) for name in COUNTS}
                for country, counts in sorted(self.by_country.items())
            },
            "licences": sorted(self.licences),
            "applications": sorted(self.applications),
        }


def merged(results: dict, tally: Tally) -> dict:
    """Add a chunk's tally to the results kept so far (JSON as the Simulation stores it)."""
    chunk = tally.as_json()
    totals = Counter(results.get("totals", {})) + Counter(chunk["totals"])
    by_country = {country: Counter(counts) for country, counts in results.get("by_country", {}).items()}
    for country, counts in chunk["by_country"].items():
        by_country[country] = by_country.get(country, Counter()) + Counter(counts)
    licences = sorted(set(results.get("licences", [])) | set(chunk["licences"]))
    applications = sorted(set(results.get("applications", [])) | set(chunk["applications"]))
    totals["licences_unnecessary"] = len(licences)
    totals["applications_withdrawable"] = len(applications)
    return {
        "totals": {name: totals.get(name, 0) for name in COUNTS},
        "by_country": {
            country: {name: counts.get(name, 0) for name in COUNTS} for country, counts in sorted(by_country.items())
        },
        "licences": licences,
        "applications": applications,
    }


def decide_book(customer_ids: list[int], *, draft: DraftRows, on: datetime.date, tally: Tally) -> int:
    """Decide, both ways, these customers' access-check questions and their waiting transactions; return how many.

    One customer's subjects are decided together so they share loaded facts
    (`SharedFacts`): its question and its transactions to its home ask the
    statement the same thing.
    """
    facts = SharedFacts(on)
    items = ControlledItem.objects.in_bulk(draft.item_ids)
    customers = Customer.objects.in_bulk(customer_ids)
    decided = 0
    for customer in sorted(customers.values(), key=lambda customer: customer.pk):
        country = default_destination(customer, None)
        for item in sorted(items.values(), key=lambda item: item.pk):
            decided += 1
            if country is None:
                tally.count(None, "not_decided")
                continue
            request = Request(
                customer=customer, person=None, item=item, activity=Activity.EXPORT, destination_country=country
            )
            _compare(
                request,
                facts.shared(request) if draft.may_alter(request) else None,
                draft=draft,
                tally=tally,
                subject=f"{customer.external_id} × {item.code}",
            )
    return decided + _decide_transactions(customers, items, draft=draft, facts=facts, tally=tally)


class _Waiting(NamedTuple):
    pk: int
    external_id: str
    customer_id: int
    person_id: int | None
    item_id: int
    activity: str
    destination_country_id: str
    quantity: Decimal | None
    value: Decimal | None


def _decide_transactions(
    customers: dict[int, Customer],
    items: dict[int, ControlledItem],
    *,
    draft: DraftRows,
    facts: "SharedFacts",
    tally: Tally,
) -> int:
    """Decide the customers' held or licence-awaiting transactions; note the applications a release makes moot."""
    # Plain rows, not model instances: a chunk has thousands, and the request needs only these.
    records = [
        _Waiting(*row)
        for row in Transaction.objects.filter(
            customer_id__in=list(customers), decision__in=PENDING, item_id__in=list(items)
        )
        .order_by("pk")
        .values_list(
            "pk",
            "external_id",
            "customer_id",
            "person_id",
            "item_id",
            "activity",
            "destination_country_id",
            "quantity",
            "value",
        )
    ]
    ids = [record.pk for record in records]
    persons = Person.objects.in_bulk({record.person_id for record in records if record.person_id is not None})
    open_applications: dict[int, list[int]] = {}
    for application_id, transaction_id in (
        LicenceApplication.objects.open().filter(transaction_id__in=ids).values_list("pk", "transaction_id")
    ):
        open_applications.setdefault(transaction_id, []).append(application_id)
    # The statement reads a transaction only for its application's parties and their hits:
    # each transaction's facts are its question's, loaded once, with those added.
    parties = load_party_facts(ids)
    same_as: dict[tuple, tuple[Evaluation, Evaluation]] = {}
    for record in records:
        request = Request(
            customer=customers[record.customer_id],
            person=persons.get(record.person_id) if record.person_id is not None else None,
            item=items[record.item_id],
            activity=record.activity,
            destination_country=record.destination_country_id,
            quantity=record.quantity,
            value=record.value,
            transaction_id=record.pk,
        )
        if not draft.may_alter(request):
            _compare(request, None, draft=draft, tally=tally, subject=record.external_id)
            continue
        question = facts.shared(request)
        loaded = parties.for_transaction(question, record.pk) if question is not None else None
        # Without application parties (or hits on them) or a licence, nothing of a transaction but its
        # question reaches the rules (quantity, value and the transaction itself only meet a licence):
        # its decisions are its question's.
        alike = loaded is question and question is not None and not question.licences
        after = _compare(
            request, loaded, draft=draft, tally=tally, subject=record.external_id, same_as=same_as if alike else None
        )
        moot = open_applications.get(record.pk, ())
        if after is not None and after.allowed and after.licence is None and moot:
            tally.applications.update(moot)
            tally.count(after.attributed_country or record.destination_country_id, "applications_withdrawable")
    return len(records)


class SharedFacts:
    """Facts loaded once per question (customer, person, item, country, activity) and shared by its subjects.

    The decision's statement reads the transaction only for its application
    parties and their hits, which `licensing.cases.party_facts` adds.
    """

    def __init__(self, on: datetime.date):
        self.on = on
        self._loaded: dict[tuple, DecisionFacts | None] = {}

    def shared(self, request: Request) -> DecisionFacts | None:
        key = _question(request)
        if key not in self._loaded:
            self._loaded[key] = self._load(request, transaction_id=None)
        return self._loaded[key]

    def own(self, request: Request) -> DecisionFacts | None:
        return self._load(request, transaction_id=request.transaction_id)

    def _load(self, request: Request, *, transaction_id: int | None) -> DecisionFacts | None:
        customer, item, person, country, activity = _question(request)
        facts = load_facts(
            customer=customer,
            item=item,
            person=person,
            country=country,
            activity=activity,
            transaction_id=transaction_id,
            on=self.on,
        )
        # Renamed since it was listed: not decided, rather than decided on other rows.
        return facts if facts.customer is not None and facts.item is not None else None


def _question(request: Request) -> tuple:
    person = request.person.external_id if request.person is not None else None
    return (request.customer.external_id, request.item.code, person, request.destination_country, request.activity)


def decide_both(request: Request, facts: DecisionFacts, draft: DraftRows) -> tuple[Evaluation, Evaluation]:
    """The decision as the law stands and with the draft, asking the rules before the licence rule only once.

    A change adds a relaxation or a requirement, which only the licence rule
    and what follows it read: an outcome of an earlier rule stands both ways.
    """
    for rule in RULES[:_LICENCE_RULE]:
        outcome = rule(request, facts)
        if outcome is not None:
            return outcome, outcome
    return _from_licence_rule(request, facts), _from_licence_rule(request, with_draft(facts, draft))


_LICENCE_RULE = RULES.index(licence_requirement)


def _from_licence_rule(request: Request, facts: DecisionFacts) -> Evaluation:
    for rule in RULES[_LICENCE_RULE:]:
        outcome = rule(request, facts)
        if outcome is not None:
            return outcome
    return authorised_otherwise(request, facts)


def _compare(
    request: Request,
    facts: DecisionFacts | None,
    *,
    draft: DraftRows,
    tally: Tally,
    subject: str,
    same_as: "dict[tuple, tuple[Evaluation, Evaluation]] | None" = None,
) -> Evaluation | None:
    """Decide both ways and count the difference; `same_as` remembers the pair for subjects decided alike."""
    if not draft.may_alter(request):
        # Decided alike both ways, whatever the facts: counted, never loaded.
        tally.count(request.destination_country, "subjects")
        return None
    # No facts: the customer or item was renamed since the subjects were listed.
    if facts is None or facts.customer is None or facts.item is None:
        tally.count(request.destination_country, "not_decided")
        return None
    key = _question(request)
    pair = same_as.get(key) if same_as is not None else None
    if pair is None:
        fresh = dataclasses.replace(request, customer=facts.customer, person=facts.person, item=facts.item)
        pair = decide_both(fresh, facts, draft)
        if same_as is not None:
            same_as[key] = pair
    before, after = pair
    country = after.attributed_country or before.attributed_country or request.destination_country
    tally.count(country, "subjects")
    if before.decision == after.decision and (before.licence is None) == (after.licence is None):
        return after
    tally.count(country, "changed")
    if after.decision == Decision.AUTHORISED and before.decision != Decision.AUTHORISED:
        tally.count(country, "released")
    if after.decision == Decision.REFUSED and before.decision != Decision.REFUSED:
        tally.count(country, "newly_refused")
    if after.decision == Decision.HOLD and before.decision != Decision.HOLD:
        tally.count(country, "newly_held")
    if after.decision == Decision.LICENCE_REQUIRED and before.decision != Decision.LICENCE_REQUIRED:
        tally.count(country, "newly_licence_required")
    if before.licence is not None and after.allowed and after.licence is None:
        tally.licences.add(before.licence.pk)
        tally.count(country, "licences_unnecessary")
    if len(tally.differences) < DIFF_ROWS_KEPT:
        tally.differences.append(
            {
                "subject": subject,
                "customer": request.customer.external_id,
                "item": request.item.code,
                "country": country,
                "before": before.decision,
                "after": after.decision,
                "reason": after.reasons[0] if after.reasons else "",
            }
        )
    return after
