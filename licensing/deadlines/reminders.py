"""Who is reminded of which deadline when, each reminder claimed once before it is sent.

A reminder is a row inserted under a unique (deadline, offset, recipient)
constraint before any message goes out: a second beat run, a second beat
process or a retried worker finds the row taken and sends nothing. The
e-mail is sent afterwards by `deliver_reminder`, which locks the row and
stamps it, so a retried delivery does not send twice either.
"""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from licensing.accounts.models import Role
from licensing.outbox.services import enqueue

from . import notifications
from .models import Deadline, Delivery, Digest, Notification, Reminder, Subscription
from .rules import longest_offset, reminder_offsets
from .task_names import DELIVER_DIGEST_EMAIL, DELIVER_REMINDER_EMAIL

# A claimed e-mail still unsent after this long lost its task (a worker died
# between claim and delivery); the next run enqueues it again.
REDELIVER_AFTER = datetime.timedelta(minutes=15)


def administrators():
    """Active users who administer the system (superusers without a role count)."""
    return get_user_model().objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True, role=""))


def offset_due(deadline: Deadline, today: datetime.date) -> str | None:
    """Return the reminder offset due today ("7d"), or None.

    The smallest offset whose day has come: a deadline first seen six days
    out gets its seven-day reminder, never a late thirty-day one.
    """
    days_left = deadline.days_left(today)
    if days_left < 0:
        return None
    reached = [days for days in reminder_offsets(deadline.kind) if days >= days_left]
    return f"{min(reached)}d" if reached else None


def reminder_recipients(deadline: Deadline) -> list:
    """The case's officer; the administrators when nobody owns the deadline."""
    if deadline.owner is not None and deadline.owner.is_active:
        return [deadline.owner]
    return list(administrators())


def escalation_recipients(deadline: Deadline) -> list:
    """The officer, their reviewer on the case, and every administrator, each once."""
    people = [deadline.owner, deadline.reviewer, *administrators()]
    unique: dict[int, Any] = {}
    for person in people:
        if person is not None and person.is_active:
            unique.setdefault(person.pk, person)
    return list(unique.values())


def claim_due_reminders(*, today: datetime.date | None = None) -> list[Reminder]:
    """Claim every reminder and escalation due today that nobody has claimed; return the new claims."""
    today = today or timezone.localdate()
    claimed = []
    upcoming = (
        Deadline.objects.open()
        .filter(paused_since__isnull=True, due_on__gte=today, due_on__lte=today + datetime.timedelta(longest_offset()))
        .select_related("owner")
    )
    wanted = []
    for deadline in upcoming:
        offset = offset_due(deadline, today)
        if offset is not None:
            wanted += [(deadline, offset, recipient, False) for recipient in reminder_recipients(deadline)]
    missed = Deadline.objects.filter(status=Deadline.Status.MISSED, settled_on__isnull=True).select_related(
        "owner", "reviewer"
    )
    for deadline in missed:
        wanted += [(deadline, Reminder.MISSED, recipient, True) for recipient in escalation_recipients(deadline)]
    # Claims made by earlier runs are skipped without a failed insert each;
    # the unique constraint still settles races with a run going on now.
    taken = set(
        Reminder.objects.filter(deadline__in={deadline.pk for deadline, *_ in wanted}).values_list(
            "deadline_id", "offset", "recipient_id"
        )
    )
    for deadline, offset, recipient, escalation in wanted:
        if (deadline.pk, offset, recipient.pk) not in taken:
            claimed += _claim(deadline, offset, recipient, escalation=escalation)
    _redeliver_lost()
    return claimed


def _claim(deadline: Deadline, offset: str, recipient, *, escalation: bool) -> list[Reminder]:
    delivery = _delivery_for(recipient, escalation=escalation)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(deadline=deadline, offset=offset, recipient=recipient, delivery=delivery)
            Notification.objects.create(
                recipient=recipient,
                deadline=deadline,
                reminder=reminder,
                title=notifications.reminder_title(reminder)[:300],
            )
            if delivery == Delivery.EMAIL:
                _enqueue_delivery(reminder.pk)
    except IntegrityError:
        # Claimed already, by an earlier run or by another process right now.
        return []
    return [reminder]


def _delivery_for(recipient, *, escalation: bool) -> str:
    if not recipient.email:
        return Delivery.IN_APP
    # A missed deadline is never held back for tomorrow's digest.
    if not escalation and Subscription.objects.filter(user=recipient, daily_digest=True).exists():
        return Delivery.DIGEST
    return Delivery.EMAIL


def _redeliver_lost() -> None:
    stale = Reminder.objects.filter(
        delivery=Delivery.EMAIL, emailed_at__isnull=True, claimed_at__lt=timezone.now() - REDELIVER_AFTER
    )
    for pk in stale.values_list("pk", flat=True):
        _enqueue_delivery(pk)


def deliver_reminder(*, reminder_id: int) -> bool:
    """E-mail one claimed reminder unless it has been e-mailed; return whether this call sent it."""
    with transaction.atomic():
        # skip_locked: a concurrent delivery of the same reminder holds the
        # row while it sends, and this one leaves it to that one.
        reminder = (
            Reminder.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("deadline", "recipient", "deadline__owner")
            .filter(pk=reminder_id, delivery=Delivery.EMAIL, emailed_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        notifications.reminder_email(reminder).send()
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["emailed_at"])
    return True


def claim_digests(*, today: datetime.date | None = None) -> list[Digest]:
    """Gather each digest reader's waiting reminders into today's digest, once per user and day."""
    today = today or timezone.localdate()
    waiting = Reminder.objects.filter(delivery=Delivery.DIGEST, digest__isnull=True)
    digests = []
    for recipient_id in waiting.values_list("recipient_id", flat=True).distinct().order_by("recipient_id"):
        try:
            with transaction.atomic():
                digest = Digest.objects.create(recipient_id=recipient_id, on=today)
                waiting.filter(recipient_id=recipient_id).update(digest=digest)
                _enqueue_digest(digest.pk)
        except IntegrityError:
            # Today's digest went already; these reminders wait for tomorrow's.
            continue
        digests.append(digest)
    return digests


def deliver_digest(*, digest_id: int, today: datetime.date | None = None) -> bool:
    """E-mail one claimed digest unless it has been e-mailed; return whether this call sent it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=digest_id, emailed_at__isnull=True)
            .first()
        )
        if digest is None:
            return False
        reminders = list(digest.reminders.select_related("deadline").order_by("deadline__due_on", "pk"))
        overdue = list(Deadline.objects.overdue(today).owned_by(digest.recipient))
        notifications.digest_email(digest, reminders=reminders, overdue=overdue, today=today).send()
        now = timezone.now()
        digest.emailed_at = now
        digest.save(update_fields=["emailed_at"])
        digest.reminders.update(emailed_at=now)
    return True


def _enqueue_delivery(reminder_id: int) -> None:
    enqueue(DELIVER_REMINDER_EMAIL, reminder_id)


def _enqueue_digest(digest_id: int) -> None:
    enqueue(DELIVER_DIGEST_EMAIL, digest_id)
