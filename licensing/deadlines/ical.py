"""A user's deadlines as an iCalendar feed (RFC 5545) for their calendar program."""

import datetime

import icalendar
from django.urls import reverse
from django.utils import timezone

from .models import Deadline
from .notifications import site_url

# Deadlines settled longer ago than this drop out of the feed.
HISTORY = datetime.timedelta(days=90)


def feed_deadlines(user, *, today: datetime.date):
    return (
        Deadline.objects.owned_by(user)
        .exclude(status=Deadline.Status.CANCELLED)
        .filter(due_on__gte=today - HISTORY)
        .order_by("due_on", "pk")
    )


def render_feed(user, *, today: datetime.date | None = None) -> bytes:
    """Return the calendar of the deadlines the user owns: all-day events on each due day."""
    today = today or timezone.localdate()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//ExportDesk//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"ExportDesk deadlines: {user}")
    for deadline in feed_deadlines(user, today=today):
        event = icalendar.Event()
        # Stable per deadline, so a moved due day updates the event in place.
        event.add("uid", f"deadline-{deadline.pk}@exportdesk")
        event.add("dtstamp", deadline.updated_at.astimezone(datetime.UTC))
        event.add("last-modified", deadline.updated_at.astimezone(datetime.UTC))
        event.add("dtstart", deadline.due_on)
        event.add("dtend", deadline.due_on + datetime.timedelta(days=1))
        event.add("summary", _summary(deadline, today))
        event.add("description", f"{deadline.basis}\nStatus: {deadline.get_status_display()}.")
        event.add("url", site_url(reverse("deadlines:detail", args=[deadline.pk])))
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def _summary(deadline: Deadline, today: datetime.date) -> str:
    prefix = ""
    if deadline.is_overdue(today):
        prefix = "OVERDUE: "
    elif deadline.status == Deadline.Status.MET:
        prefix = "Met: "
    elif deadline.status == Deadline.Status.MISSED:
        prefix = "Missed: "
    return f"{prefix}{deadline.get_kind_display()}, {deadline.subject_repr}"
