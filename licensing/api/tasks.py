"""Background work of the API: webhook sending and token bookkeeping. Each task takes ids and is safe to repeat."""

import datetime
import random

from celery import shared_task
from django.conf import settings

from licensing.periodic import periodic_task

from .task_names import DELIVER_WEBHOOK, TOUCH_API_TOKEN
from .tokens import record_last_use
from .webhooks import sending
from .webhooks.expiry import announce_expiring_api_tokens, announce_expiring_licences


@shared_task(name=TOUCH_API_TOKEN, ignore_result=True)
def touch_api_token(token_id: int, used_at: str):
    """Record when a token was last used."""
    record_last_use(token_id=token_id, used_at=datetime.datetime.fromisoformat(used_at))


@shared_task(name=DELIVER_WEBHOOK, bind=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, delivery_id: int):
    """Send one webhook delivery; on failure try again later, backing off, until the attempts run out."""
    outcome = sending.attempt_delivery(delivery_id=delivery_id)
    # Run eagerly (no broker: the embedded default) a retry cannot wait; the
    # periodic sweep sends the delivery again instead.
    if outcome == sending.Outcome.RETRY and not self.request.is_eager:
        raise self.retry(countdown=retry_delay(self.request.retries))
    return outcome


def retry_delay(retries: int) -> int:
    """Seconds before the next try: doubling from the base, capped, with jitter so receivers are not stampeded."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    delay = min(base * 2**retries, settings.WEBHOOK_RETRY_MAX_SECONDS)
    return int(delay + random.uniform(0, delay / 4))


@periodic_task(ignore_result=True)
def send_pending_webhooks():
    """Queue deliveries whose sending was lost: never queued (the broker was down) or a retry that never came."""
    return sending.requeue_stranded()


@periodic_task(ignore_result=True)
def announce_licences_expiring():
    """Send licence.expiring for each active licence that ends within the notice period."""
    return announce_expiring_licences()


@periodic_task(ignore_result=True)
def announce_api_tokens_expiring():
    """Send api_token.expiring for each token that expires within API_TOKEN_EXPIRY_WARNING_DAYS."""
    return announce_expiring_api_tokens()
