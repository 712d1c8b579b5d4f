"""Transactions waiting on a recipient are decided again when what they wait on changes."""

from licensing.audit.models import Event
from licensing.cases.models import Licence, OwnershipRulePeriod
from licensing.cases.ownership_chain import owned_below
from licensing.cases.tasks import (
    redecide_held_transactions,
    redecide_owned_customers_transactions,
    redecide_pending_for_subjects,
    redecide_transaction,
)
from licensing.determinations.models import ForeignPersonDetermination
from licensing.outbox.services import enqueue
from licensing.parties.models import Customer
from licensing.screening.models import Hit


def redecide_customer(event: Event, customer: Customer) -> None:
    """A customer's new standing: its own transactions and its people's follow it."""
    if event.before.get("status") != event.after.get("status"):
        enqueue(redecide_held_transactions, customer_id=customer.pk, include_persons=True)


def redecide_determined_subject(event: Event, determination: ForeignPersonDetermination) -> None:
    """An approved determination may release the recipient's waiting transactions."""
    if event.after.get("batch") is not None:
        # A batch's approvals are decided again by the batch, a chunk of subjects per task, with its progress.
        return
    if determination.person_id is not None:
        enqueue(redecide_held_transactions, person_id=determination.person_id)
    else:
        enqueue(redecide_held_transactions, customer_id=determination.customer_id)


def redecide_owned_customers(event: Event, period: OwnershipRulePeriod) -> None:
    """The ownership rule suspended or resumed: what waits on a customer with owners may change."""
    enqueue(redecide_owned_customers_transactions)


def redecide_licensed_transaction(event: Event, licence: Licence) -> None:
    """A licence just issued decides the transaction it was applied for."""
    enqueue(redecide_transaction, licence.application.transaction_id)


def redecide_screened_subjects(event: Event, target: object) -> None:
    """A screening changed what these subjects' decisions read (a first screening, new or adjudicated hits)."""
    after = event.after
    enqueue(
        redecide_pending_for_subjects,
        customers=after.get("customers", []),
        persons=after.get("persons", []),
        parties=after.get("parties", []),
    )


def redecide_hit_subject(event: Event, hit: Hit) -> None:
    """An adjudicated hit (confirmed, cleared, reopened) changes its subject's decisions, and those it owns."""
    if hit.customer_id:
        # The ownership rule reads an owner's hits for the customers below it.
        enqueue(redecide_pending_for_subjects, customers=[hit.customer_id, *owned_below([hit.customer_id])])
        return
    field = "persons" if hit.person_id else "parties"
    enqueue(redecide_pending_for_subjects, **{field: [hit.person_id or hit.party_id]})


def redecide_owned_customer(event: Event, customer: Customer) -> None:
    """A new owner of a customer changes what the ownership rule reads for it and the customers below it."""
    enqueue(redecide_pending_for_subjects, customers=[customer.pk, *owned_below([customer.pk])])
