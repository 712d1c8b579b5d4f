"""Work queues of applications: the unassigned pool and each case's age against its next deadline."""

import datetime

from django.db.models import F, Min, Q, QuerySet

from .models import ApplicationQuerySet, LicenceApplication

# Deadlines are the deadlines app's rows, reached through their `deadlines` relation; a stopped clock is not running.
RUNNING = Q(deadlines__status="open", deadlines__paused_since__isnull=True)


def with_next_deadline(queryset: ApplicationQuerySet) -> QuerySet[LicenceApplication]:
    """Each application with `next_due_on`, the day its soonest running clock runs out (None when none runs)."""
    return queryset.annotate(next_due_on=Min("deadlines__due_on", filter=RUNNING))


def unassigned_pool() -> QuerySet[LicenceApplication]:
    """Open applications nobody works, soonest deadline first, then the oldest."""
    pool = LicenceApplication.objects.open().filter(assigned_officer__isnull=True)
    # Those with no running clock last, whichever way the database sorts empty values.
    return with_next_deadline(pool).order_by(F("next_due_on").asc(nulls_last=True), "created_at", "pk")


def days_left(next_due_on: datetime.date | None, today: datetime.date) -> int | None:
    """Days until the next deadline, negative once it has passed."""
    return None if next_due_on is None else (next_due_on - today).days
