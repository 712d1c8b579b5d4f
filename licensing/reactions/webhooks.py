"""Billing hears of decisions, holds, applications and licences through webhooks.

Each function only writes delivery rows, in the event's transaction; sending
starts after commit. A payload is built only when a subscription listens.
"""

from licensing.api.models import WebhookEvent
from licensing.api.webhooks import events
from licensing.api.webhooks.publishing import publish
from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.parties.models import Customer

HELD_STATUSES = (Customer.Status.ON_HOLD, Customer.Status.BLOCKED)


def transaction_decided(event: Event, record: Transaction) -> None:
    """Publish transaction.decided, unless the decision landed where it was: that is not news to billing."""
    if event.before.get("decision") == record.decision:
        return
    publish(WebhookEvent.TRANSACTION_DECIDED, lambda: events.transaction_data(record), dedupe_key=f"event:{event.pk}")


def customer_held(event: Event, customer: Customer) -> None:
    """Publish customer.held when the change left the customer on hold or blocked."""
    if customer.status in HELD_STATUSES:
        publish(WebhookEvent.CUSTOMER_HELD, lambda: events.customer_data(customer), dedupe_key=f"event:{event.pk}")


def customer_held_if_status_changed(event: Event, customer: Customer) -> None:
    """A customer's standing written by another path than its status service (billing must hear of it too)."""
    if "status" in event.after:
        customer_held(event, customer)


def application_status_changed(event: Event, application: LicenceApplication) -> None:
    publish(
        WebhookEvent.APPLICATION_STATUS_CHANGED,
        lambda: events.application_data(application, status_before=event.before.get("status")),
    )


def licence_issued(event: Event, licence: Licence) -> None:
    publish(
        WebhookEvent.LICENCE_ISSUED, lambda: events.licence_data(licence), dedupe_key=f"licence.issued:{licence.pk}"
    )


def licence_allowance_used_up(event: Event, licence: Licence) -> None:
    publish(
        WebhookEvent.LICENCE_ALLOWANCE_USED_UP,
        lambda: events.licence_data(licence),
        dedupe_key=f"licence.allowance_used_up:{licence.pk}",
    )


def licence_expired(event: Event, licence: Licence) -> None:
    publish(
        WebhookEvent.LICENCE_EXPIRED, lambda: events.licence_data(licence), dedupe_key=f"licence.expired:{licence.pk}"
    )
