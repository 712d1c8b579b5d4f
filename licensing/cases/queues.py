"""Work queues of applications: the unassigned pool and each case's age against its next deadline."""

import datetime

from django.db.models import Min, Q, QuerySet

from .models import ApplicationQuerySet, LicenceApplication

# Deadlines are the deadlines app's rows, reached through their `deadlines` relation; a stopped clock is not running.
RUNNING = Q(deadlines__status="open", deadlines__paused_since__isnull=True)


def with_next_deadline(queryset: ApplicationQuerySet) -> QuerySet[LicenceApplication]:
    """Each application with `next_due_on`, the day its soonest running clock runs out (None when none runs)."""
    return queryset.annotate(next_due_on=Min("deadlines__due_on", filter=RUNNING))


def unassigned_pool() -> QuerySet[LicenceApplication]:
    """Open applications nobody works, soonest deadline first, then the oldest."""
    pool = LicenceApplication.objects.open().filter(assigned_officer__isnull=True)
    # Ordered by the annotation's expression, which the type checker can follow where a name it cannot.
    return with_next_deadline(pool).order_by(Min("deadlines__due_on", filter=RUNNING), "created_at", "pk")


def days_left(next_due_on: datetime.date | None, today: datetime.date) -> int | None:
    """Days until the next deadline, negative once it has passed."""
    return None if next_due_on is None else (next_due_on - today).days
