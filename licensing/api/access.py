"""The access check: may billing grant this recipient this item now? Read-only, never stale.

It asks the same rules as a posted transaction (`licensing.cases.decision.decide`)
of facts loaded in one query. Billing asks the same question over and over, so
each process remembers its answers, each beside the DecisionStamp of the facts
it came from, and gives one again only when the stamp it reads afresh, in the
check's one query, is still the same: the database changes the stamp whenever
anything the decision reads changes, so a revoked licence, a new hold or a
blocked customer shows in the very next answer.
"""

import dataclasses
import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.utils import timezone

from licensing.cases.decision import Request, decide, default_destination
from licensing.cases.facts import CompanionRead, DecisionFacts, Stamp, load_facts, read_stamp
from licensing.cases.models import Decision, Licence, Transaction
from licensing.reference.models import Activity


class UnknownParty(Exception):
    """A value of the check names nothing known (`missing`) or does not fit the rest; `field` names it."""

    def __init__(self, field: str, message: str, *, missing: bool = True):
        super().__init__(message)
        self.field = field
        self.missing = missing


@dataclass(frozen=True)
class AccessAnswer:
    allowed: bool
    decision: str
    reasons: tuple[str, ...]
    licence: Licence | None
    attributed_country: str | None
    checked_at: datetime.datetime


@dataclass(frozen=True)
class NamedTransaction:
    """The transaction a check names, as recorded: what the check is compared with."""

    pk: int
    customer: str
    person: str | None
    item: str
    activity: str
    country: str


@dataclass(frozen=True)
class PreparedCheck:
    """What one check read: a remembered answer whose stamp still holds, or the facts to decide from."""

    question: tuple
    companion: list[tuple]
    remembered: AccessAnswer | None = None
    facts: DecisionFacts | None = None
    # The transaction named, when the check names one; None inside it when no such transaction exists.
    named: tuple[NamedTransaction | None] | None = None
    # The DecisionStamp the answer rests on (the gateway signs it into its receipts).
    stamp: Stamp = None


class _Answers:
    """The answers this process gave, each with the stamp of its facts; the least recently used go first."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[Stamp, AccessAnswer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, question: tuple) -> tuple[Stamp, AccessAnswer] | None:
        with self._lock:
            entry = self._entries.get(question)
            if entry is not None:
                self._entries.move_to_end(question)
            return entry

    def put(self, question: tuple, stamp: Stamp, answer: AccessAnswer) -> None:
        with self._lock:
            self._entries[question] = (stamp, answer)
            self._entries.move_to_end(question)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


# Billing's customers asking about its items: a few thousand answers cover a busy hour.
ANSWERS = _Answers(size=4096)


def prepare_check(
    *,
    customer: str,
    item: str,
    person: str | None = None,
    activity: str | None = None,
    country: str | None = None,
    transaction: str | None = None,
    companion: CompanionRead | None = None,
    companion_value=None,
) -> PreparedCheck:
    """Read, in one query, what the check needs (and the caller's companion read, if any).

    If this process answered the same question today from facts whose stamp
    is still current, that answer stands and only the stamp is read. If the
    stamp has changed since, the facts are read as well, in a second query.
    A check that names a transaction reads it first, and is always decided
    afresh: it reads the transaction's application parties, which no stamp covers.
    """
    on = timezone.localdate()
    named = None
    if transaction is not None:
        named = (_named_transaction(transaction),)
        if named[0] is not None:
            activity = activity or named[0].activity
            country = country or named[0].country
    activity = activity or Activity.EXPORT
    question = (customer, item, person, activity, country, on)
    remembered = ANSWERS.get(question) if named is None else None
    if remembered is not None:
        stamp, rows = read_stamp(customer=customer, companion=companion, companion_value=companion_value)
        if stamp == remembered[0]:
            return PreparedCheck(question=question, companion=rows, remembered=remembered[1], stamp=stamp)
    facts = load_facts(
        customer=customer,
        item=item,
        person=person,
        country=country,
        activity=activity,
        transaction_id=named[0].pk if named and named[0] else None,
        on=on,
        companion=companion,
        companion_value=companion_value,
    )
    return PreparedCheck(question=question, companion=facts.companion, facts=facts, named=named, stamp=facts.stamp)


def _named_transaction(external_id: str) -> NamedTransaction | None:
    row = (
        Transaction.objects.filter(external_id=external_id)
        .values_list(
            "pk", "customer__external_id", "person__external_id", "item__code", "activity", "destination_country_id"
        )
        .first()
    )
    return NamedTransaction(*row) if row else None


def check_access(
    *,
    customer: str,
    item: str,
    person: str | None = None,
    activity: str | None = None,
    country: str | None = None,
    transaction: str | None = None,
    prepared: PreparedCheck | None = None,
) -> AccessAnswer:
    """Decide, without writing anything, whether access may be granted now.

    `prepared`, if given, is what `prepare_check` read for these same values
    within this request; otherwise it is read here.
    """
    checked_at = timezone.now()
    if prepared is None:
        prepared = prepare_check(
            customer=customer, item=item, person=person, activity=activity, country=country, transaction=transaction
        )
    named = prepared.named[0] if prepared.named else None
    if transaction is not None:
        named = _check_named(
            transaction, named, customer=customer, item=item, person=person, activity=activity, country=country
        )
        activity = activity or named.activity
        country = country or named.country
    activity = activity or Activity.EXPORT
    if prepared.remembered is not None:
        return dataclasses.replace(prepared.remembered, checked_at=checked_at)
    facts = prepared.facts
    # prepare_check reads the facts whenever it has no answer to remember.
    assert facts is not None
    if facts.customer is None:
        raise UnknownParty("customer", f"No customer has external_id {customer}.")
    if facts.item is None:
        raise UnknownParty("item", f"No controlled item has the code {item}.")
    if person is not None and facts.person is None:
        raise UnknownParty("person", f"Customer {customer} has no person with external_id {person}.")
    destination = country or default_destination(facts.customer, facts.person)
    if destination is None:
        raise UnknownParty("country", f"Give the country: customer {customer} has no country recorded.")
    result = decide(
        Request(
            customer=facts.customer,
            person=facts.person,
            item=facts.item,
            activity=activity,
            destination_country=destination,
            transaction_id=named.pk if named is not None else None,
        ),
        facts,
    )
    answer = AccessAnswer(
        # Only an explicit authorisation grants access; every other outcome,
        # including ones added to the rules later, refuses it.
        allowed=result.decision == Decision.AUTHORISED,
        decision=result.decision,
        reasons=tuple(result.reasons),
        licence=result.licence,
        attributed_country=result.attributed_country,
        checked_at=checked_at,
    )
    # An answer about a named transaction read its parties, which no stamp covers: never remembered.
    if facts.stamp is not None and named is None:
        ANSWERS.put(prepared.question, facts.stamp, answer)
    return answer


def _check_named(
    external_id: str, named: NamedTransaction | None, *, customer: str, item: str, person, activity, country
) -> NamedTransaction:
    """The named transaction, once it is known to be of the recipient, item and destination asked about."""
    if named is None:
        raise UnknownParty("transaction", f"No transaction has external_id {external_id}.")
    different = [
        name
        for name, asked, recorded in (
            ("customer", customer, named.customer),
            ("person", person, named.person),
            ("item", item, named.item),
            ("activity", activity or named.activity, named.activity),
            ("country", country or named.country, named.country),
        )
        if asked != recorded
    ]
    if different:
        raise UnknownParty(
            "transaction",
            f"Transaction {external_id} has a different {', '.join(different)}: "
            "a check names only a transaction of the recipient, item and destination it asks about.",
            missing=False,
        )
    return named
