"""Replay a recorded decision under the rules, lists and facts in force when it was made.

"Why was TX-123 held on 2 November?" A decision records its basis
(`licensing.cases.basis`): the day, the requirements and relaxations in
force, the list versions, the determination, the hits with their statuses,
the licences, the customer's standing, whether each subject was screened as
it was, the ownership rule's period and the owners. The replay loads those
rows as they were then, runs the same rules (`RULES`) and says whether they
give what was recorded. Whatever was written since (a requirement added, a
hit cleared, a determination superseded, a licence revoked) is named, not
applied. A decision recorded before decisions kept their basis is not
replayed: the replay says so rather than guess.
"""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from licensing.audit.models import Event
from licensing.audit.verbs import Verb
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, Ownership
from licensing.reference.models import LicenceRequirement, RequirementRelaxation
from licensing.screening.models import Hit, ListVersion
from licensing.screening.subjects import customer_fingerprint, party_fingerprint, person_fingerprint

from .basis import NEVER_SCREENED, SCREENED_AS_IT_WAS
from .facts import DecisionFacts, OwnershipFacts, ScreeningFacts, load_facts
from .models import Decision, Licence, OwnershipRulePeriod, Transaction
from .rules import Request, decide

# Stands for "screened under other names than the subject had": equal to no fingerprint.
_OTHER_NAMES = "screened under other names"


@dataclasses.dataclass(frozen=True)
class Replay:
    """A recorded decision and what the rules give again on the facts of its time."""

    transaction: Transaction
    # When the replayed decision was made, and the day it was decided for.
    decided_at: datetime.datetime | None
    on: datetime.date | None
    recorded_decision: str
    recorded_reasons: list[str]
    # None when the decision cannot be replayed; `missing` says why.
    decision: str | None = None
    reasons: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    # What has changed since and was left out, or restored as it was.
    notes: list[str] = dataclasses.field(default_factory=list)
    requirement_ids: list[int] = dataclasses.field(default_factory=list)
    list_version_ids: list[int] = dataclasses.field(default_factory=list)

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label if self.decision else ""

    @property
    def recorded_label(self) -> str:
        return Decision(self.recorded_decision).label if self.recorded_decision else ""

    @property
    def replayed(self) -> bool:
        return self.decision is not None

    @property
    def matches(self) -> bool | None:
        """Whether the replay gives the recorded outcome and reasons; None when it could not be replayed."""
        if self.decision is None:
            return None
        return self.decision == self.recorded_decision and self.reasons == self.recorded_reasons


def replay_decision(transaction: Transaction, *, at: datetime.datetime | None = None) -> Replay:
    """Replay the transaction's decision in force at `at` (its latest decision when not given), writing nothing."""
    decided_at, decision, reasons, basis = _recorded(transaction, at)
    replay = Replay(
        transaction=transaction,
        decided_at=decided_at,
        on=datetime.date.fromisoformat(basis["on"]) if basis else None,
        recorded_decision=decision,
        recorded_reasons=reasons,
    )
    if decided_at is None:
        when = f" at or before {at:%Y-%m-%d %H:%M} UTC" if at else ""
        return dataclasses.replace(replay, missing=[f"No decision of {transaction} was recorded{when}."])
    if not basis:
        return dataclasses.replace(
            replay,
            missing=[
                f"The decision of {decided_at:%Y-%m-%d %H:%M} UTC was recorded before decisions kept what they were "
                "decided under (the requirements, list versions, determination and hits in force): it cannot be "
                "replayed, and no guess is made."
            ],
        )
    restored = _Restored(transaction, basis, decided_at)
    facts = restored.facts()
    if restored.missing or facts.customer is None or facts.item is None:
        return dataclasses.replace(replay, missing=restored.missing, notes=restored.notes)
    request = dataclasses.replace(
        Request.for_transaction(transaction), customer=facts.customer, person=facts.person, item=facts.item
    )
    outcome = decide(request, facts)
    return dataclasses.replace(
        replay,
        decision=outcome.decision,
        reasons=outcome.reasons,
        notes=restored.notes,
        requirement_ids=basis["requirements"],
        list_version_ids=basis.get("list_versions", []),
    )


def _recorded(
    transaction: Transaction, at: datetime.datetime | None
) -> tuple[datetime.datetime | None, str, list[str], dict[str, Any]]:
    """(when, decision, reasons, basis) of the decision in force at `at`, or of the latest one."""
    if at is None:
        return transaction.decided_at, transaction.decision, transaction.decision_reasons, transaction.decision_basis
    event = (
        Event.objects.for_target(transaction)
        .filter(verb=Verb.TRANSACTION_DECIDED, occurred_at__lte=at)
        .order_by("-occurred_at", "-sequence")
        .first()
    )
    if event is None:
        return None, "", [], {}
    return (
        event.occurred_at,
        event.after.get("decision", ""),
        event.after.get("reasons", []),
        event.after.get("basis") or {},
    )


class _Restored:
    """The facts of a basis: the current read for its day, with what changes in place put back as it was."""

    def __init__(self, transaction: Transaction, basis: dict[str, Any], decided_at: datetime.datetime):
        self.transaction = transaction
        self.basis = basis
        self.at = decided_at
        self.missing: list[str] = []
        self.notes: list[str] = []

    def facts(self) -> DecisionFacts:
        record = self.transaction
        on = datetime.date.fromisoformat(self.basis["on"])
        now = load_facts(
            customer=record.customer.external_id,
            item=record.item.code,
            person=record.person.external_id if record.person is not None else None,
            country=record.destination_country_id,
            activity=record.activity,
            transaction_id=record.pk,
            on=on,
        )
        if now.customer is None or now.item is None:
            self.missing.append("The customer or the item is recorded under another name now.")
            return now
        customer = now.customer
        if self.basis.get("customer"):
            customer.status = self.basis["customer"]["status"]
            customer.status_reason = self.basis["customer"]["status_reason"]
        self._check_list_versions()
        return dataclasses.replace(
            now,
            customer=customer,
            requirements=self._requirements(now),
            relaxations=self._relaxations(now, customer),
            determination=self._determination(now),
            licences=self._licences(now),
            screening=self._screening(now),
            ownership=self._ownership(),
            stamp=None,
        )

    def _requirements(self, now: DecisionFacts) -> list[LicenceRequirement]:
        ids = self.basis["requirements"]
        for later in now.requirements:
            if later.pk not in ids:
                self.notes.append(
                    f"Requirement “{later}” (#{later.pk}), in force on {self.basis['on']} as recorded now, was not "
                    "in force when the decision was made: not applied."
                )
        found = {
            requirement.pk: requirement
            for requirement in LicenceRequirement.objects.filter(pk__in=ids).prefetch_related("country_groups")
        }
        for requirement in found.values():
            requirement.group_codes = {group.pk for group in requirement.country_groups.all()}
        self._note_missing("Requirement", ids, found)
        return sorted(found.values(), key=lambda r: (r.effective_from, r.pk))

    def _relaxations(self, now: DecisionFacts, customer: Customer) -> list[RequirementRelaxation]:
        ids = self.basis.get("relaxations", [])
        for later in now.relaxations:
            if later.pk not in ids:
                self.notes.append(f"Relaxation #{later.pk} was not in force when the decision was made: not applied.")
        found = {x.pk: x for x in RequirementRelaxation.objects.filter(pk__in=ids).prefetch_related("customers")}
        for relaxation in found.values():
            relaxation.customer_ids = {c.pk for c in relaxation.customers.all()} & {customer.pk}
        self._note_missing("Relaxation", ids, found)
        return sorted(found.values(), key=lambda x: (x.effective_from, x.pk))

    def _determination(self, now: DecisionFacts) -> ForeignPersonDetermination | None:
        pk = self.basis["determination"]
        if pk is None:
            if now.determination is not None:
                self.notes.append(f"{now.determination} was approved since: not applied.")
            return None
        found = ForeignPersonDetermination.objects.filter(pk=pk).first()
        if found is None:
            self._note_missing("Determination", [pk], {})
            return None
        if found.approved_at is not None and found.approved_at > self.at:
            self.missing.append(f"{found} is recorded as approved after the decision: the basis is inconsistent.")
        if found.status != ForeignPersonDetermination.Status.APPROVED:
            self.notes.append(f"{found} is {found.get_status_display().lower()} now; replayed as approved, as it was.")
            found.status = ForeignPersonDetermination.Status.APPROVED
        return found

    def _licences(self, now: DecisionFacts) -> list[Licence]:
        ids = self.basis["licences"]
        kept = {licence.pk: licence for licence in now.licences if licence.pk in ids}
        for later in now.licences:
            if later.pk not in ids:
                self.notes.append(f"Licence {later.number} was not active when the decision was made: not applied.")
        for licence in Licence.objects.filter(pk__in=set(ids) - set(kept)).select_related("application"):
            self.notes.append(
                f"Licence {licence.number} is {licence.get_status_display().lower()} now; "
                "replayed as active, as it was."
            )
            licence.status = Licence.Status.ACTIVE
            licence.application_transaction_id = licence.application.transaction_id
            kept[licence.pk] = licence
        self._note_missing("Licence", ids, kept)
        # Quantities and values used are read as they are now: usage is not dated.
        return sorted(kept.values(), key=lambda licence: (licence.valid_until, licence.pk))

    def _hits(self, recorded: list[list]) -> list[Hit]:
        statuses = dict((pk, status) for pk, status in recorded)
        found = {hit.pk: hit for hit in Hit.objects.select_related("entry__version").filter(pk__in=statuses)}
        self._note_missing("Screening hit", list(statuses), found)
        for hit in found.values():
            if hit.status != statuses[hit.pk]:
                self.notes.append(
                    f"Screening hit #{hit.pk} is {hit.get_status_display().lower()} now; replayed as "
                    f"{Hit.Status(statuses[hit.pk]).label.lower()}, as it was."
                )
                hit.status = statuses[hit.pk]
        return sorted(found.values(), key=lambda hit: hit.pk)

    def _screening(self, now: DecisionFacts) -> ScreeningFacts:
        screened = self.basis.get("screened", {})
        was = now.screening
        assert now.customer is not None, "restored only once the customer was read"
        customer_as = self._screened_as(
            screened.get("customer"), customer_fingerprint(now.customer, was.customer_addresses)
        )
        person_as = was.person_screened_as
        if now.person is not None:
            person_as = self._screened_as(screened.get("person"), person_fingerprint(now.person))
        parties = []
        for party in was.parties:
            key = f"party:{party.pk}"
            if key not in screened:
                self.notes.append(f"Application party {party.name} was added after the decision: not applied.")
                continue
            party.screened_as = self._screened_as(screened[key], party_fingerprint(party))
            parties.append(party)
        later = [hit for hit in was.hits if hit.pk not in {pk for pk, _ in self.basis["hits"]}]
        for hit in later:
            self.notes.append(f"Screening hit #{hit.pk} was found after the decision: not applied.")
        return dataclasses.replace(
            was,
            lists_in_force=self.basis["lists_in_force"],
            customer_screened_as=customer_as,
            person_screened_as=person_as,
            hits=self._hits(self.basis["hits"]),
            parties=parties,
        )

    @staticmethod
    def _screened_as(status: str | None, fingerprint_now: str) -> str | None:
        # The subject is taken as it is now; what counts is whether its screening matched it then.
        if status is None or status == NEVER_SCREENED:
            return None
        return fingerprint_now if status == SCREENED_AS_IT_WAS else _OTHER_NAMES

    def _ownership(self) -> OwnershipFacts:
        recorded = self.basis.get("ownership") or {}
        period = None
        if recorded.get("period") is not None:
            period = OwnershipRulePeriod.objects.filter(pk=recorded["period"]).first()
            self._note_missing("Ownership rule period", [recorded["period"]], {period.pk: period} if period else {})
        # Edges are not dated: they are rebuilt from the basis, with the percentages read then.
        edges = [
            Ownership(pk=pk, owned_id=owned, owner_id=owner, percentage=Decimal(percentage))
            for pk, owned, owner, percentage in recorded.get("edges", [])
        ]
        owners = {edge.owner_id for edge in edges if edge.owner_id is not None}
        names = dict(Customer.objects.filter(pk__in=owners).values_list("pk", "legal_name"))
        return OwnershipFacts(period=period, edges=edges, hits=self._hits(recorded.get("hits", [])), owner_names=names)

    def _check_list_versions(self) -> None:
        recorded = sorted(self.basis.get("list_versions", []))
        if ListVersion.objects.filter(pk__in=recorded, in_force_at__isnull=True).exists():
            # Versions put in force without a time (loaded directly): their dates cannot tell.
            return
        then = sorted(
            ListVersion.objects.filter(in_force_at__lte=self.at)
            .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=self.at))
            .exclude(status__in=(ListVersion.Status.LOADING, ListVersion.Status.FAILED))
            .values_list("pk", flat=True)
        )
        if recorded != then:
            self.notes.append(
                f"The list versions recorded with the decision ({_ids(recorded)}) differ from those the lists' "
                f"dates put in force then ({_ids(then)}); the decision's record is used."
            )

    def _note_missing(self, kind: str, ids: list[int], found: dict) -> None:
        for pk in ids:
            if pk not in found:
                self.missing.append(f"{kind} #{pk}, read by the decision, is no longer recorded.")


def moment_asked(text: str) -> datetime.datetime:
    """The moment a replay is asked about: a day (its end, UTC) or an ISO 8601 time (UTC when it names no zone)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is neither a day (2026-11-02) nor a time (2026-11-02T14:30:00Z).") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{pk}" for pk in ids) or "none"
