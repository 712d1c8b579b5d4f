"""What a rule is asked (`Request`) and what it answers (`Evaluation`)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, Person
from licensing.reference.models import ControlledItem, LicenceRequirement

from ..models import Decision, Licence, Transaction


@dataclass
class Evaluation:
    decision: str
    reasons: list[str]
    licence: Licence | None = None
    requirement: LicenceRequirement | None = None
    determination: ForeignPersonDetermination | None = None
    # HOLD because the recipient needs a (new) determination.
    needs_determination: bool = False
    attributed_country: str | None = None
    notes: list[str] = field(default_factory=list)
    # What the decision read (`licensing.cases.basis`), set by `evaluate`; the rules leave it empty.
    basis: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.decision == Decision.AUTHORISED


@dataclass(frozen=True)
class Request:
    customer: Customer
    person: Person | None
    item: ControlledItem
    activity: str
    destination_country: str
    quantity: Decimal | None = None
    value: Decimal | None = None
    # The transaction being decided, if any: a letter that wants one
    # application per transaction accepts only that transaction's own licence.
    transaction_id: int | None = None

    @property
    def recipient(self) -> Person | Customer:
        return self.person or self.customer

    @classmethod
    def for_transaction(cls, record: Transaction) -> "Request":
        """The request a recorded transaction makes, naming it so only its own licence counts."""
        return cls(
            customer=record.customer,
            person=record.person,
            item=record.item,
            activity=record.activity,
            destination_country=record.destination_country_id,
            quantity=record.quantity,
            value=record.value,
            transaction_id=record.pk,
        )
