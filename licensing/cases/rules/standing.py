"""Rule 1: the customer's standing."""

from licensing.parties.models import Customer

from ..facts import DecisionFacts
from ..models import Decision
from .request import Evaluation, Request


def customer_standing(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """A blocked customer is refused and one on hold is held, whatever else is true."""
    customer = request.customer
    if customer.status == Customer.Status.BLOCKED:
        return Evaluation(Decision.REFUSED, [_with_reason(f"Customer {customer} is blocked", customer.status_reason)])
    if customer.status == Customer.Status.ON_HOLD:
        return Evaluation(Decision.HOLD, [_with_reason(f"Customer {customer} is on hold", customer.status_reason)])
    return None


def _with_reason(text: str, reason: str) -> str:
    return f"{text}: {reason}" if reason else f"{text}."
