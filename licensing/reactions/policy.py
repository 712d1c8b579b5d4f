"""A rule change in force: the transactions waiting on the items it touches are decided again under it."""

from licensing.audit.models import Event
from licensing.cases.tasks import redecide_pending_for_subjects
from licensing.outbox.services import enqueue
from licensing.policy.models import RuleChange
from licensing.policy.services import affected_pending_customers

# Customers per task: a failed task retries a bounded amount of work.
CUSTOMERS_PER_TASK = 500


def redecide_under_change(event: Event, change: RuleChange) -> None:
    customers = affected_pending_customers(change)
    for start in range(0, len(customers), CUSTOMERS_PER_TASK):
        enqueue(redecide_pending_for_subjects, customers=customers[start : start + CUSTOMERS_PER_TASK])
