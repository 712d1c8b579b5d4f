"""The deadlines each person's queue shows: their own, and the overdue ones they answer for."""

import datetime

from django.db.models import Q
from django.utils import timezone

from licensing.accounts.models import Role

from .models import Deadline


def overdue_queue(user, *, today: datetime.date | None = None):
    """Overdue deadlines for the user's queue: an officer's own, a reviewer's cases too, all for an administrator."""
    today = today or timezone.localdate()
    overdue = Deadline.objects.overdue(today).select_related("owner", "application").order_by("due_on", "pk")
    role = getattr(user, "effective_role", "")
    if not getattr(user, "is_active", False):
        return overdue.none()
    if role == Role.ADMIN:
        return overdue
    if role == Role.REVIEWER:
        return overdue.filter(Q(owner=user) | Q(reviewer=user))
    if role == Role.OFFICER:
        return overdue.filter(owner=user)
    return overdue.none()


def upcoming_for(user, *, today: datetime.date | None = None, days: int = 90):
    """The user's own open deadlines due within `days`, soonest first (overdue ones included)."""
    today = today or timezone.localdate()
    return (
        Deadline.objects.open()
        .owned_by(user)
        .filter(due_on__lte=today + datetime.timedelta(days=days))
        .select_related("application")
        .order_by("due_on", "pk")
    )
