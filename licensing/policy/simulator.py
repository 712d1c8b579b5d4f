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

from django.core.exceptions import ObjectDoesNotExist

from licensing.cases.decision import Evaluation, Request, decide, default_destination
from licensing.cases.facts import DecisionFacts, load_facts
from licensing.cases.models import Decision, LicenceApplication, Transaction
from licensing.parties.models import Customer
from licensing.reference.models import Activity, ControlledItem, LicenceRequirement, RequirementRelaxation

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
        return DraftRows(relaxation=None, requirement=requirement, item_ids=frozenset({change.item_id}))
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
    return DraftRows(relaxation=relaxation, requirement=None, item_ids=frozenset(affected_item_ids(change)))


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


def decide_customers(customer_ids: list[int], *, draft: DraftRows, on: datetime.date, tally: Tally) -> None:
    """Decide the access check's question of each customer, for each item the change touches, both ways."""
    items = list(ControlledItem.objects.filter(pk__in=draft.item_ids).order_by("pk"))
    customers = Customer.objects.filter(pk__in=customer_ids).order_by("pk")
    for customer in customers:
        country = default_destination(customer, None)
        for item in items:
            if country is None:
                tally.count(None, "not_decided")
                continue
            request = Request(
                customer=customer, person=None, item=item, activity=Activity.EXPORT, destination_country=country
            )
            _compare(request, draft=draft, on=on, tally=tally, subject=f"{customer.external_id} × {item.code}")


def decide_transactions(transaction_ids: list[int], *, draft: DraftRows, on: datetime.date, tally: Tally) -> None:
    """Decide each held or licence-awaiting transaction both ways; note the applications a release makes moot."""
    records = (
        Transaction.objects.filter(pk__in=transaction_ids, decision__in=PENDING, item_id__in=draft.item_ids)
        .select_related("customer", "person", "item")
        .order_by("pk")
    )
    open_applications: dict[int, list[int]] = {}
    for application_id, transaction_id in (
        LicenceApplication.objects.open().filter(transaction_id__in=transaction_ids).values_list("pk", "transaction_id")
    ):
        open_applications.setdefault(transaction_id, []).append(application_id)
    for record in records:
        after = _compare(Request.for_transaction(record), draft=draft, on=on, tally=tally, subject=record.external_id)
        moot = open_applications.get(record.pk, ())
        if after is not None and after.allowed and after.licence is None and moot:
            tally.applications.update(moot)
            tally.count(after.attributed_country or record.destination_country_id, "applications_withdrawable")


def _compare(request: Request, *, draft: DraftRows, on: datetime.date, tally: Tally, subject: str) -> Evaluation | None:
    try:
        facts = load_facts(
            customer=request.customer.external_id,
            item=request.item.code,
            person=request.person.external_id if request.person is not None else None,
            country=request.destination_country,
            activity=request.activity,
            transaction_id=request.transaction_id,
            on=on,
        )
        if facts.customer is None or facts.item is None:
            raise ObjectDoesNotExist(subject)
    except (ObjectDoesNotExist, ValueError):
        tally.count(request.destination_country, "not_decided")
        return None
    fresh = dataclasses.replace(request, customer=facts.customer, person=facts.person, item=facts.item)
    before = decide(fresh, facts)
    after = decide(fresh, with_draft(facts, draft))
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
