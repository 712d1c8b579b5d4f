"""Where webhook events come from.

Status changes of applications and licences pass through the state machines'
`after_transition` hook (licensing/workflow/effects.py), which calls
`on_transition`. Decisions, holds and issued licences are not transitions:
the service that writes each one calls its `announce_*` function below, in
the same database transaction, once the change and its event are written.
Every function here only writes delivery rows; sending starts after commit.
"""

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.parties.models import Customer

from ..models import WebhookEvent
from . import events
from .publishing import publish

HELD_STATUSES = (Customer.Status.ON_HOLD, Customer.Status.BLOCKED)


def on_transition(obj, *, transition, before: str) -> None:
    """Publish the webhook events a state-machine transition causes."""
    if isinstance(obj, LicenceApplication):
        publish(WebhookEvent.APPLICATION_STATUS_CHANGED, lambda: events.application_data(obj, status_before=before))
    elif isinstance(obj, Licence) and transition.name == "expire":
        publish(
            WebhookEvent.LICENCE_EXPIRED,
            lambda: events.licence_data(obj),
            dedupe_key=f"licence.expired:{obj.pk}",
        )


def announce_decision(record: Transaction, *, decision_before: str, event: Event) -> None:
    """Publish transaction.decided for a decision just recorded, unless it left the decision as it was."""
    # A re-decision that lands where it was is not news to billing.
    if decision_before == record.decision:
        return
    publish(WebhookEvent.TRANSACTION_DECIDED, lambda: events.transaction_data(record), dedupe_key=f"event:{event.pk}")


def announce_licence_issued(licence: Licence) -> None:
    """Publish licence.issued for a licence just recorded."""
    publish(
        WebhookEvent.LICENCE_ISSUED, lambda: events.licence_data(licence), dedupe_key=f"licence.issued:{licence.pk}"
    )


def announce_if_held(customer: Customer, *, event: Event) -> None:
    """Publish customer.held when a change just recorded left the customer on hold or blocked."""
    if customer.status in HELD_STATUSES:
        publish(WebhookEvent.CUSTOMER_HELD, lambda: events.customer_data(customer), dedupe_key=f"event:{event.pk}")
