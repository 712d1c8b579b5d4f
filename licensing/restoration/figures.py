"""The restoration campaign in figures: subjects per bucket over time, intake to restored, who is still held.

A subject is taken in when triage first proposes a bucket for it, and is
restored when a determination that it is a U.S. person is first approved.
Each figure is one or two queries whatever the book's size.
"""

import datetime
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.status import Outcome

from .buckets import Bucket
from .models import Proposal


@dataclass(frozen=True)
class Day:
    on: datetime.date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Durations:
    restored: int
    median_hours: float | None
    p90_hours: float | None


def bucket_counts() -> dict[str, int]:
    """How many subjects are in each bucket now."""
    found = dict(Proposal.objects.current().values_list("bucket").annotate(n=Count("pk")).order_by())
    return {bucket: found.get(bucket, 0) for bucket in Bucket.values}


def buckets_over_time(*, days: int = 30, until: datetime.date | None = None) -> list[Day]:
    """Subjects per bucket at the end of each of the last `days` days, in one pass over the proposals."""
    until = until or timezone.localdate()
    ends = [
        (until - datetime.timedelta(days=back), _end_of(until - datetime.timedelta(days=back)))
        for back in range(days - 1, -1, -1)
    ]
    # One row per bucket, one column per day: a year of days stays well inside PostgreSQL's column limit.
    per_day = {
        f"day_{index}": Count(
            "pk", filter=Q(proposed_at__lt=end) & (Q(superseded_at__isnull=True) | Q(superseded_at__gte=end))
        )
        for index, (_, end) in enumerate(ends)
    }
    # Only proposals that could be current on one of the days are read.
    rows = (
        Proposal.objects.filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=ends[0][1]))
        .values("bucket")
        .annotate(**per_day)
        .order_by()
    )
    counted: dict[str, dict[str, Any]] = {row["bucket"]: dict(row) for row in rows}
    return [
        Day(on, {bucket: counted[bucket][f"day_{index}"] if bucket in counted else 0 for bucket in Bucket.values})
        for index, (on, _) in enumerate(ends)
    ]


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def _restored_at(field: str) -> Subquery:
    return Subquery(
        ForeignPersonDetermination.objects.filter(
            **{field: OuterRef(field)}, outcome=Outcome.US_PERSON, approved_at__isnull=False
        )
        .order_by("approved_at")
        .values("approved_at")[:1]
    )


def intake_to_restored() -> Durations:
    """Median and 90th percentile of the time from a subject's first proposal to its first U.S.-person approval."""
    hours: list[float] = []
    for field in ("customer", "person"):
        taken_in = (
            Proposal.objects.filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(intake=Min("proposed_at"))
            .annotate(restored=_restored_at(field))
            .filter(restored__isnull=False)
            .values_list("intake", "restored")
        )
        hours += [max((restored - intake).total_seconds(), 0) / 3600 for intake, restored in taken_in]
    if not hours:
        return Durations(0, None, None)
    if len(hours) == 1:
        return Durations(1, round(hours[0], 1), round(hours[0], 1))
    deciles = statistics.quantiles(hours, n=10, method="inclusive")
    return Durations(len(hours), round(statistics.median(hours), 1), round(deciles[8], 1))


def _approved(field: str) -> Exists:
    return Exists(
        ForeignPersonDetermination.objects.approved().filter(**{field: OuterRef(field)}, outcome=Outcome.US_PERSON)
    )


def held() -> QuerySet:
    """Current proposals of subjects not yet restored (no approved U.S.-person determination), with why."""
    return (
        Proposal.objects.current()
        .annotate(restored_customer=_approved("customer"), restored_person=_approved("person"))
        .filter(Q(customer__isnull=False, restored_customer=False) | Q(person__isnull=False, restored_person=False))
    )
