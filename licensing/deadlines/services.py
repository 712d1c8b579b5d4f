"""Writes with business meaning about deadlines; the pages and the API call these."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from .models import Deadline, Notification, Subscription
from .recompute import SETTLED_VERB, recompute_for
from .rules import SETTLED_BY_HAND


def settle_deadline(
    *, actor: User | None, deadline: Deadline, status: str, on: datetime.date | None = None, reason: str = ""
) -> Deadline:
    """Record that a deadline was met on a day, or no longer applies; the clock is recomputed from that."""
    if not user_can(actor, Action.SETTLE_DEADLINE):
        raise PermissionDenied(f"{actor} may not settle deadlines")
    today = timezone.localdate()
    on = on or today
    reason = (reason or "").strip()
    if status not in (Deadline.Status.MET, Deadline.Status.CANCELLED):
        raise ValidationError({"status": "Choose met or cancelled."})
    if deadline.kind not in SETTLED_BY_HAND:
        raise ValidationError(
            {"kind": f"{deadline.get_kind_display()} follows the case's recorded moves and cannot be settled by hand."}
        )
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        raise ValidationError({"on": "Give a date."})
    if on > today:
        raise ValidationError({"on": f"{on} is in the future; record it on the day it happens."})
    if on < deadline.starts_on:
        raise ValidationError({"on": f"{on} is before the clock started on {deadline.starts_on}."})
    if status == Deadline.Status.CANCELLED and not reason:
        raise ValidationError({"reason": "Say why the deadline no longer applies."})
    with transaction.atomic():
        # Locked so two officers settling the same deadline write one event, not two.
        locked = Deadline.objects.select_for_update(no_key=True).get(pk=deadline.pk)
        if not locked.is_overdue(today) and locked.status != Deadline.Status.OPEN:
            raise ValidationError(
                {"status": f"The deadline is {locked.get_status_display().lower()} already; nothing is left to settle."}
            )
        subject = locked.subject
        if subject is None:
            raise ValidationError({"deadline": "The record this deadline was about no longer exists."})
        record_event(
            actor=actor,
            verb=SETTLED_VERB,
            target=subject,
            before={"kind": locked.kind, "status": locked.status},
            after={"kind": locked.kind, "status": status, "on": on, "deadline": locked.pk},
            reason=reason,
        )
        recompute_for(locked, today=today)
    locked.refresh_from_db()
    return locked


def set_daily_digest(*, actor: User | None, daily_digest: bool) -> Subscription:
    """Choose between one e-mail per reminder and one digest a day, for the actor's own reminders."""
    if actor is None or not user_can(actor, Action.VIEW_CASES):
        raise PermissionDenied(f"{actor} has no role and receives no reminders")
    if not isinstance(daily_digest, bool):
        raise ValidationError({"daily_digest": "Give true or false."})
    with transaction.atomic():
        subscription, _ = Subscription.objects.select_for_update(no_key=True).get_or_create(user=actor)
        if subscription.daily_digest != daily_digest:
            subscription.daily_digest = daily_digest
            subscription.save(update_fields=["daily_digest"])
            record_event(
                actor=actor,
                verb="deadline_subscription.updated",
                target=subscription,
                before={"daily_digest": not daily_digest},
                after={"daily_digest": daily_digest},
            )
    return subscription


def reset_calendar_feed(*, actor: User | None) -> str:
    """Make a new private calendar address for the actor, ending the old one; return its secret."""
    if actor is None or not user_can(actor, Action.VIEW_CASES):
        raise PermissionDenied(f"{actor} has no role and has no deadlines to publish")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        subscription, _ = Subscription.objects.select_for_update(no_key=True).get_or_create(user=actor)
        replaced = subscription.calendar_token_hash is not None
        subscription.calendar_token_hash = _hash(secret)
        subscription.calendar_token_created_at = timezone.now()
        subscription.save(update_fields=["calendar_token_hash", "calendar_token_created_at"])
        record_event(
            actor=actor,
            verb="deadline_subscription.calendar_reset" if replaced else "deadline_subscription.calendar_created",
            target=subscription,
        )
    return secret


def calendar_owner(secret: str) -> User | None:
    """Return the active user whose calendar address carries this secret, or None."""
    if not secret or len(secret) > 100:
        return None
    subscription = Subscription.objects.select_related("user").filter(calendar_token_hash=_hash(secret)).first()
    if subscription is None or not user_can(subscription.user, Action.VIEW_CASES):
        return None
    return subscription.user


def mark_notification_read(*, actor: User | None, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications as read."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the person a notification was sent to can mark it read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
