"""Turning something that happened into deliveries, one per listening subscription."""

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from licensing.outbox.services import enqueue

from ..models import WebhookDelivery, WebhookSubscription
from ..task_names import DELIVER_WEBHOOK

log = logging.getLogger(__name__)

# Each event type's listening subscriptions, read once for the publications inside `publishing_together`.
_listening: ContextVar[dict[str, list[WebhookSubscription]] | None] = ContextVar("webhook_listening", default=None)


@contextmanager
def publishing_together() -> Iterator[None]:
    """Read each event type's subscriptions once for every publication inside the block.

    For the reactions to many events recorded at once (a chunk of
    transactions decided together), where reading them for each would be most
    of the work. A block inside another shares the outer one's reads.
    """
    if _listening.get() is not None:
        yield
        return
    reset = _listening.set({})
    try:
        yield
    finally:
        _listening.reset(reset)


def publish(event_type: str, describe: Callable[[], dict], *, dedupe_key: str | None = None) -> list[WebhookDelivery]:
    """Queue an event for every subscription that listens to it; call inside the change's transaction.

    The deliveries are rows written with the change, so a rolled-back change
    sends nothing; sending starts once the transaction commits. `describe`
    returns the event's data; it is called only when someone listens, since
    the services announce every decision and most have no subscriber.
    `dedupe_key` names the happening: a second publish with the same key sends
    nothing new.
    """
    subscriptions = _listening_to(event_type)
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    body = json.dumps(
        {"id": str(event_id), "type": event_type, "occurred_at": timezone.now(), "data": describe()},
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    dedupe_key = dedupe_key or f"{event_type}:{event_id}"
    created = []
    for subscription in subscriptions:
        delivery, is_new = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            dedupe_key=dedupe_key,
            defaults={"event_id": event_id, "event_type": event_type, "body": body},
        )
        if is_new:
            created.append(delivery)
    ids = [delivery.pk for delivery in created]
    if ids:
        _queue(ids)
    return created


def _listening_to(event_type: str) -> list[WebhookSubscription]:
    remembered = _listening.get()
    if remembered is None:
        return WebhookSubscription.objects.listening_to(event_type)
    if event_type not in remembered:
        remembered[event_type] = WebhookSubscription.objects.listening_to(event_type)
    return remembered[event_type]


def _queue(delivery_ids: list[int]) -> None:
    # Recorded with the change: if the broker is away the outbox's relay sends them once it is back.
    for delivery_id in delivery_ids:
        enqueue(DELIVER_WEBHOOK, delivery_id)
