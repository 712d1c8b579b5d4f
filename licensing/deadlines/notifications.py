"""The words of a reminder: its in-app title and its e-mails, HTML and plain text."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Deadline, Digest, Reminder


def site_url(path: str) -> str:
    base = getattr(settings, "EXPORTDESK_BASE_URL", "http://localhost:8000").rstrip("/")
    return f"{base}{path}"


def reminder_title(reminder: Reminder) -> str:
    deadline = reminder.deadline
    what = f"{deadline.get_kind_display()} for {deadline.subject_repr}"
    if reminder.is_escalation:
        return f"Missed: {what} was due on {deadline.due_on:%d %B %Y}"
    days = int(reminder.offset.removesuffix("d"))
    when = "tomorrow" if days == 1 else f"in {days} days"
    return f"Due {when}: {what} on {deadline.due_on:%d %B %Y}"


def reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    deadline = reminder.deadline
    context = {
        "reminder": reminder,
        "deadline": deadline,
        "title": reminder_title(reminder),
        "recipient": reminder.recipient,
        "is_owner": deadline.owner_id == reminder.recipient_id,
        "url": site_url(reverse("deadlines:detail", args=[deadline.pk])),
    }
    return _message(
        subject=f"[ExportDesk] {context['title']}",
        to=reminder.recipient.email,
        template="deadlines/email/reminder",
        context=context,
    )


def digest_email(
    digest: Digest, *, reminders: list[Reminder], overdue: list[Deadline], today: datetime.date
) -> EmailMultiAlternatives:
    context = {
        "digest": digest,
        "recipient": digest.recipient,
        "items": [(reminder, reminder_title(reminder)) for reminder in reminders],
        "overdue": overdue,
        "today": today,
        "url": site_url(reverse("deadlines:index")),
    }
    count = len(reminders)
    return _message(
        subject=f"[ExportDesk] Deadlines for {digest.on:%d %B %Y}: {count} reminder{'s' if count != 1 else ''}",
        to=digest.recipient.email,
        template="deadlines/email/digest",
        context=context,
    )


def _message(*, subject: str, to: str, template: str, context: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:250],
        body=render_to_string(f"{template}.txt", context),
        to=[to] if to else [],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
