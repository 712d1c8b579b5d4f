"""Sending one delivery: sign the stored body, POST it, and log the attempt."""

import enum
import http.client
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import WebhookAttempt, WebhookDelivery
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

log = logging.getLogger(__name__)

Status = WebhookDelivery.Status


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GAVE_UP = "gave_up"
    SKIPPED = "skipped"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would send the signed body somewhere the subscription never
    # named; it counts as a failed attempt instead.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def attempt_delivery(*, delivery_id: int) -> Outcome:
    """Try to send a delivery once, unless it was already sent or given up on."""
    with transaction.atomic():
        # Skip-locked: a duplicate task for the same delivery (a requeue racing
        # a retry) finds the row taken and does nothing, so nothing is sent twice.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (Status.DELIVERED, Status.FAILED):
            return Outcome.SKIPPED
        subscription = delivery.subscription
        attempted_at = timezone.now()
        started = time.monotonic()
        if subscription.active:
            status_code, error = _post(delivery, subscription)
        else:
            status_code, error = None, "The subscription is inactive."
        duration_ms = int((time.monotonic() - started) * 1000)
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error[:500],
            duration_ms=duration_ms,
        )
        delivery.attempts += 1
        delivery.last_attempt_at = attempted_at
        delivery.last_status_code = status_code
        delivery.last_error = error[:500]
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = Status.DELIVERED
            delivery.delivered_at = timezone.now()
            outcome = Outcome.DELIVERED
        elif not subscription.active or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = Status.FAILED
            outcome = Outcome.GAVE_UP
        else:
            delivery.status = Status.RETRYING
            outcome = Outcome.RETRY
        delivery.save(
            update_fields=["attempts", "last_attempt_at", "last_status_code", "last_error", "status", "delivered_at"]
        )
    return outcome


def _post(delivery: WebhookDelivery, subscription) -> tuple[int | None, str]:
    body = delivery.body.encode()
    timestamp = int(time.time())
    # The URL passed destination_problem when saved: https, or http to this machine only.
    request = urllib.request.Request(  # noqa: S310
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ExportDesk-Webhooks/1",
            EVENT_HEADER: delivery.event_type,
            DELIVERY_HEADER: str(delivery.event_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret=subscription.secret, timestamp=timestamp, body=body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"The receiver answered HTTP {error.code}."
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        return None, f"Could not deliver: {error}"


def requeue_stranded(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again deliveries never attempted, or whose retry is overdue; returns how many."""
    from ..tasks import deliver_webhook

    now = timezone.now()
    # A scheduled retry waits at most the longest back-off (plus its jitter).
    overdue = timedelta(seconds=settings.WEBHOOK_RETRY_MAX_SECONDS * 1.25) + older_than
    stranded = WebhookDelivery.objects.filter(
        Q(status=Status.PENDING, attempts=0, created_at__lt=now - older_than)
        | Q(status=Status.RETRYING, last_attempt_at__lt=now - overdue)
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in stranded:
        deliver_webhook.delay(delivery_id)
        count += 1
    return count
