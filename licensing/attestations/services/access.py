"""Opening an attestation link: refused plainly (and recorded) when it is tampered, old, revoked or overused.

Nobody signs in to follow a link, so the link is the only key: its signature is
checked before the database is read, views are counted per address and per
link, and every view and every refusal is an event.
"""

import threading
import time
from dataclasses import dataclass
from typing import NoReturn

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from licensing.audit.services import record_event

from ..links import BadLink, LinkTooOld, read_link
from ..models import Attestation, Purpose, RefusedLink
from .sending import expire_attestation

# Per address and per link, within a window: enough for a person filling in a form, too few for guessing.
ADDRESS_LIMIT = 30
LINK_LIMIT = 20
WINDOW_SECONDS = 600

Reason = RefusedLink.Reason


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


REFUSALS = {
    Reason.TAMPERED: Refusal(404, "This link is not valid. Check that the whole address was copied from the e-mail."),
    Reason.EXPIRED: Refusal(410, "This link has expired. Ask your contact at the company for a new one."),
    Reason.REVOKED: Refusal(410, "This link has been withdrawn and can no longer be used."),
    Reason.ANSWERED: Refusal(410, "These questions have already been answered through this link. Thank you."),
    Reason.REPLACED: Refusal(410, "A newer link was sent to you; please use the most recent e-mail."),
    Reason.TOO_MANY: Refusal(429, "Too many requests from here. Please wait a few minutes and try again."),
}


class LinkRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        self.refusal = REFUSALS[Reason(reason)]
        super().__init__(self.refusal.message)

    @property
    def status(self) -> int:
        return self.refusal.status


# When the shared cache is down, views are counted in this process instead, never not at all.
_local_counts: dict[str, tuple[int, float]] = {}
_local_lock = threading.Lock()


def _count(key: str) -> int:
    try:
        cache.add(key, 0, WINDOW_SECONDS)
        return int(cache.incr(key))
    except Exception:
        now = time.monotonic()
        with _local_lock:
            count, started = _local_counts.get(key, (0, now))
            if now - started > WINDOW_SECONDS:
                count, started = 0, now
            _local_counts[key] = (count + 1, started)
            return count + 1


def _over(key: str, limit: int) -> tuple[bool, bool]:
    """(over the limit, this is the first request over it)."""
    count = _count(key)
    return count > limit, count == limit + 1


def _refuse(
    reason: str, *, attestation: Attestation | None, client_address: str | None, record: bool = True
) -> NoReturn:
    if record:
        with transaction.atomic():
            attempt = RefusedLink.objects.create(attestation=attestation, reason=reason, client_address=client_address)
            record_event(
                actor=None,
                verb="attestation.link_refused",
                target=attestation or attempt,
                after={"reason": reason, "attempt": attempt.pk, "attestation": attestation.pk if attestation else None},
            )
    raise LinkRefused(reason)


def usable_attestation(value: str, *, client_address: str | None) -> Attestation:
    """The open attestation a link names; LinkRefused (recorded) otherwise."""
    over, first = _over(f"attestation-link:address:{client_address}", ADDRESS_LIMIT)
    if over:
        # Only the first refusal of a window is recorded: a flood must not write a flood of events.
        _refuse(Reason.TOO_MANY, attestation=None, client_address=client_address, record=first)
    try:
        link = read_link(value or "", purpose=Purpose.FOREIGN_PERSON_STATUS)
    except BadLink:
        _refuse(Reason.TAMPERED, attestation=None, client_address=client_address)
    except LinkTooOld:
        _refuse(Reason.EXPIRED, attestation=None, client_address=client_address)
    attestation = Attestation.objects.select_related("customer", "person").filter(pk=link.attestation_id).first()
    if attestation is None:
        _refuse(Reason.TAMPERED, attestation=None, client_address=client_address)
    over, first = _over(f"attestation-link:link:{attestation.pk}", LINK_LIMIT)
    if over:
        _refuse(Reason.TOO_MANY, attestation=attestation, client_address=client_address, record=first)
    if attestation.status == Attestation.Status.REVOKED:
        _refuse(Reason.REVOKED, attestation=attestation, client_address=client_address)
    if attestation.status == Attestation.Status.SUBMITTED:
        _refuse(Reason.ANSWERED, attestation=attestation, client_address=client_address)
    if not link.matches(attestation.token_hash):
        _refuse(Reason.REPLACED, attestation=attestation, client_address=client_address)
    now = timezone.now()
    if attestation.status == Attestation.Status.EXPIRED or attestation.expires_at <= now:
        expire_attestation(attestation, now)
        _refuse(Reason.EXPIRED, attestation=attestation, client_address=client_address)
    return attestation


def view_attestation(value: str, *, client_address: str | None) -> Attestation:
    """Open the form a link leads to, recording the view."""
    attestation = usable_attestation(value, client_address=client_address)
    with transaction.atomic():
        locked = (
            Attestation.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer", "person")
            .get(pk=attestation.pk)
        )
        before = locked.status
        now = timezone.now()
        locked.views += 1
        locked.first_viewed_at = locked.first_viewed_at or now
        if locked.status == Attestation.Status.SENT:
            locked.status = Attestation.Status.VIEWED
        locked.save(update_fields=["views", "first_viewed_at", "status"])
        record_event(
            actor=None,
            verb="attestation.viewed",
            target=locked,
            before={"status": before},
            after={"status": locked.status, "views": locked.views},
        )
    return locked
