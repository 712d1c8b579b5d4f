"""Where webhook events come from.

Status changes of applications and licences pass through the state machines'
`after_transition` hook (licensing/workflow/effects.py), which calls
`on_transition`. Decisions, holds and issued licences are not transitions:
each is written by its own service, which records an audit event in the same
database transaction, so `on_event_recorded` listens to the event log, the
one place every such change passes whether it came from the UI, the admin,
the API or a background task.
"""

from functools import partial

from django.db import transaction

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.parties.models import Customer

from ..models import WebhookEvent
from . import events
from .publishing import publish

HELD_STATUSES = (Customer.Status.ON_HOLD, Customer.Status.BLOCKED)
CUSTOMER_VERBS = ("customer.created", "customer.updated", "customer.status_changed")


def on_transition(obj, *, transition, before: str) -> None:
    """Publish the webhook events a state-machine transition causes."""
    if isinstance(obj, LicenceApplication):
        publish(WebhookEvent.APPLICATION_STATUS_CHANGED, events.application_data(obj, status_before=before))
    elif isinstance(obj, Licence) and transition.name == "expire":
        publish(
            WebhookEvent.LICENCE_EXPIRED,
            events.licence_data(obj),
            dedupe_key=f"licence.expired:{obj.pk}",
        )


def _announce_decision(*, event_id: int, transaction_id: str) -> None:
    with transaction.atomic():
        record = Transaction.objects.filter(pk=transaction_id).first()
        if record is not None:
            publish(WebhookEvent.TRANSACTION_DECIDED, events.transaction_data(record), dedupe_key=f"event:{event_id}")


def on_event_recorded(sender, instance: Event, created: bool, **kwargs) -> None:
    """Publish the webhook events an audit event stands for (a post_save receiver on Event)."""
    if not created:
        return
    verb = instance.verb
    if verb == "transaction.decided":
        # Only a new or changed decision is news; a re-decision that lands
        # where it was sends nothing.
        if (instance.before or {}).get("decision") == (instance.after or {}).get("decision"):
            return
        # Announced once the decision commits: the draft application a
        # licence-required decision opens is written after this event, and
        # the announcement links to it.
        transaction.on_commit(partial(_announce_decision, event_id=instance.pk, transaction_id=instance.target_id))
    elif verb == "licence.issued":
        licence = Licence.objects.filter(pk=instance.target_id).first()
        if licence is not None:
            publish(
                WebhookEvent.LICENCE_ISSUED, events.licence_data(licence), dedupe_key=f"licence.issued:{licence.pk}"
            )
    elif verb in CUSTOMER_VERBS and (instance.after or {}).get("status") in HELD_STATUSES:
        customer = Customer.objects.filter(pk=instance.target_id).first()
        if customer is not None:
            publish(WebhookEvent.CUSTOMER_HELD, events.customer_data(customer), dedupe_key=f"event:{instance.pk}")
