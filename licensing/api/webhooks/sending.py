"""Sending one delivery: sign the stored body, POST it, and log the attempt."""

import enum
import http.client
import logging
import socket
import ssl
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from licensing.outbox.services import enqueue

from ..models import WebhookAttempt, WebhookDelivery
from ..task_names import DELIVER_WEBHOOK
from .destinations import Destination, DestinationRefused, resolve_destination
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

log = logging.getLogger(__name__)

Status = WebhookDelivery.Status


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GAVE_UP = "gave_up"
    SKIPPED = "skipped"


class _CheckedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses its destination was checked at, never to a fresh lookup of the name."""

    def __init__(self, destination: Destination, *, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.destination = destination

    def connect(self):
        self.sock = _connect(self.destination.addresses, self.timeout)


class _CheckedHTTPSConnection(_CheckedHTTPConnection):
    def __init__(self, destination: Destination, *, timeout: float):
        super().__init__(destination, timeout=timeout)
        self.tls = ssl.create_default_context()

    def connect(self):
        super().connect()
        # The certificate is verified against the URL's host name, not the address connected to.
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.destination.host)


def _connect(addresses, timeout: float) -> socket.socket:
    failure = OSError("no address to connect to")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as error:
            sock.close()
            failure = error
    raise failure


def attempt_delivery(*, delivery_id: int) -> Outcome:
    """Try to send a delivery once, unless it was already sent or given up on."""
    with transaction.atomic():
        # Skip-locked: a duplicate task for the same delivery (a requeue racing
        # a retry) finds the row taken and does nothing, so nothing is sent twice.
        delivery = (
            WebhookDelivery.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
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
            status_code, error, refused = _post(delivery, subscription)
        else:
            status_code, error, refused = None, "The subscription is inactive.", True
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
        elif refused or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = Status.FAILED
            outcome = Outcome.GAVE_UP
        else:
            delivery.status = Status.RETRYING
            outcome = Outcome.RETRY
        delivery.save(
            update_fields=["attempts", "last_attempt_at", "last_status_code", "last_error", "status", "delivered_at"]
        )
    return outcome


def _post(delivery: WebhookDelivery, subscription) -> tuple[int | None, str, bool]:
    """POST the delivery once: (status code, error, refused). Refused: trying again would not help."""
    try:
        destination = resolve_destination(subscription.url)
    except DestinationRefused as refusal:
        return None, f"Refused: {refusal}", True
    except (OSError, UnicodeError) as error:
        return None, f"Could not resolve the URL's host: {error}", False
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ExportDesk-Webhooks/1",
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=subscription.secret, timestamp=timestamp, body=body),
    }
    connection_class = _CheckedHTTPSConnection if destination.scheme == "https" else _CheckedHTTPConnection
    connection = connection_class(destination, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        status = connection.getresponse().status
    except (http.client.HTTPException, OSError, ValueError) as error:
        return None, f"Could not deliver: {error}", False
    finally:
        connection.close()
    # A redirect is not followed: it would send the signed body somewhere the
    # subscription never named, so it counts as a failed attempt.
    if 200 <= status < 300:
        return status, "", False
    return status, f"The receiver answered HTTP {status}.", False


def requeue_stranded(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again deliveries never attempted, or whose retry is overdue; returns how many."""
    now = timezone.now()
    # A scheduled retry waits at most the longest back-off (plus its jitter).
    overdue = timedelta(seconds=settings.WEBHOOK_RETRY_MAX_SECONDS * 1.25) + older_than
    stranded = WebhookDelivery.objects.filter(
        Q(status=Status.PENDING, attempts=0, created_at__lt=now - older_than)
        | Q(status=Status.RETRYING, last_attempt_at__lt=now - overdue)
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in stranded:
        enqueue(DELIVER_WEBHOOK, delivery_id)
        count += 1
    return count
