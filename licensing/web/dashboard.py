"""What the dashboard reads: each panel is one query, whatever the number of rows."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.models import Event
from licensing.cases.models import FINAL_APPLICATION_STATUSES, Decision, Licence, LicenceApplication, Transaction
from licensing.cases.queues import unassigned_pool, with_next_deadline
from licensing.cases.workflow import APPLICATION_MACHINE
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination

from .charts import ageing_chart, weekly_chart
from .neighbours import deadlines_due, hits_to_adjudicate

PANEL_ROWS = 8
EXPIRY_HORIZON_DAYS = 90
CHART_WEEKS = 12
# Days left before an open case's next running deadline, as the queues' "due" filter reads them:
# (key, label, first day left, last day left), None where the bucket is open-ended.
AGEING_BUCKETS = (
    ("overdue", "Overdue", None, -1),
    ("week", "Due within 7 days", 0, 7),
    ("month", "Due in 8–30 days", 8, 30),
    ("later", "Due in over 30 days", 31, None),
)

A = LicenceApplication.Status
# The events of the moves that end a case: BIS's decision, a return, or a withdrawal.
CLOSING_VERBS = tuple(
    f"{APPLICATION_MACHINE.verb_prefix}{t.name}"
    for t in APPLICATION_MACHINE.transitions
    if t.target in FINAL_APPLICATION_STATUSES
)


def my_queue(user) -> dict:
    mine = LicenceApplication.objects.open().assigned_to(user)
    # Soonest deadline first: the case whose clock runs out next is the one to work on.
    ordered = with_next_deadline(mine.select_related("customer", "person", "transaction")).order_by(
        F("next_due_on").asc(nulls_last=True), "updated_at", "pk"
    )
    return {
        "count": mine.count(),
        "applications": list(ordered[:PANEL_ROWS]),
        "tasks": list(
            DeterminationTask.objects.filter(status=DeterminationTask.Status.OPEN, assigned_to=user)
            .select_related("customer", "person")
            .order_by("opened_at")[:PANEL_ROWS]
        ),
        # Drafts of mine, including those a reviewer sent back.
        "drafts": list(
            ForeignPersonDetermination.objects.filter(status=ForeignPersonDetermination.Status.DRAFT, prepared_by=user)
            .select_related("customer", "person")
            .order_by("updated_at")[:PANEL_ROWS]
        ),
    }


def awaiting_review(user) -> dict | None:
    """Work another officer prepared that this user may approve (never their own: four eyes)."""
    may_determine = user_can(user, Action.APPROVE_DETERMINATION)
    may_file = user_can(user, Action.REVIEW_APPLICATION)
    if not (may_determine or may_file):
        return None
    determinations = ForeignPersonDetermination.objects.awaiting_review().exclude(prepared_by=user)
    filings = LicenceApplication.objects.with_status(A.IN_REVIEW).exclude(prepared_by=user)
    return {
        "determination_count": determinations.count() if may_determine else 0,
        "application_count": filings.count() if may_file else 0,
        "determinations": list(
            determinations.select_related("customer", "person", "prepared_by", "attribution_country").order_by(
                "updated_at"
            )[:PANEL_ROWS]
        )
        if may_determine
        else [],
        "applications": list(
            filings.select_related("customer", "person", "prepared_by").order_by("updated_at")[:PANEL_ROWS]
        )
        if may_file
        else [],
    }


def holds() -> dict:
    """Transactions the access check holds now, whatever was recorded when they were decided."""
    held = Transaction.objects.held_now()
    return {
        "count": held.count(),
        "rows": list(held.select_related("customer", "person", "item").order_by("requested_at", "pk")[:PANEL_ROWS]),
    }


def pool(user) -> dict | None:
    """Open applications nobody works, soonest deadline first, for an officer to take."""
    if not user_can(user, Action.PREPARE_APPLICATION):
        return None
    waiting = unassigned_pool()
    return {
        "count": LicenceApplication.objects.open().filter(assigned_officer__isnull=True).count(),
        "applications": list(waiting.select_related("customer", "person")[:PANEL_ROWS]),
        "may_assign": user_can(user, Action.ASSIGN_CASES),
    }


def unassigned() -> dict:
    return {
        "applications": LicenceApplication.objects.open().filter(assigned_officer__isnull=True).count(),
        "tasks": DeterminationTask.objects.filter(
            status=DeterminationTask.Status.OPEN, assigned_to__isnull=True
        ).count(),
    }


def expiring_licences(today: datetime.date) -> dict:
    expiring = Licence.objects.active_on(today).filter(
        valid_until__lte=today + datetime.timedelta(days=EXPIRY_HORIZON_DAYS)
    )
    return {
        "count": expiring.count(),
        "rows": list(expiring.select_related("customer", "person").order_by("valid_until", "pk")[:PANEL_ROWS]),
    }


def pipeline() -> dict:
    counts = dict(LicenceApplication.objects.values_list("status").annotate(n=Count("pk")).order_by())
    labels = [label for _, label in A.choices]
    values = [counts.get(value, 0) for value, _ in A.choices]
    return {"labels": labels, "values": values, "rows": list(zip(labels, values, strict=True))}


def _weeks(today: datetime.date) -> list[datetime.date]:
    """The Mondays of the last CHART_WEEKS weeks, this week's last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]


def _week_start(week: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(week, datetime.time.min))


def _as_day(week) -> datetime.date:
    # TruncWeek gives a datetime on PostgreSQL and SQLite alike, a date on a DateField.
    return week.date() if isinstance(week, datetime.datetime) else week


def decisions_per_week(today: datetime.date) -> dict:
    weeks = _weeks(today)
    decided = (
        Transaction.objects.filter(decided_at__gte=_week_start(weeks[0]))
        .annotate(week=TruncWeek("decided_at"))
        .values_list("week", "decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(_as_day(week), decision): n for week, decision, n in decided}
    labels = [f"{w:%d %b}" for w in weeks]
    series = [
        {"label": label, "key": value, "values": [counts.get((w, value), 0) for w in weeks]}
        for value, label in Decision.choices
    ]
    rows = [(label, [s["values"][i] for s in series]) for i, label in enumerate(labels)]
    return {"labels": labels, "series": series, "rows": rows}


def cases_opened_and_closed(today: datetime.date) -> dict:
    """Applications opened and closed in each of the last weeks: two grouped counts, one query each.

    Opened is the draft's creation; closed is the event of the move into a final
    status (a case has no other record of when it ended).
    """
    weeks = _weeks(today)
    since = _week_start(weeks[0])
    opened = dict(
        LicenceApplication.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = dict(
        Event.objects.filter(
            target_type=ContentType.objects.get_for_model(LicenceApplication),
            verb__in=CLOSING_VERBS,
            occurred_at__gte=since,
        )
        .annotate(week=TruncWeek("occurred_at"))
        .values_list("week")
        .annotate(n=Count("target_id", distinct=True))
        .order_by()
    )
    opened_by_week = {_as_day(week): n for week, n in opened.items()}
    closed_by_week = {_as_day(week): n for week, n in closed.items()}
    rows = [(week, opened_by_week.get(week, 0), closed_by_week.get(week, 0)) for week in weeks]
    return {
        "rows": rows,
        "opened": sum(row[1] for row in rows),
        "closed": sum(row[2] for row in rows),
        "chart": weekly_chart(rows, ("Opened", "Closed")),
        "description": f"In the {len(weeks)} weeks from {weeks[0]:%-d %b %Y}, "
        f"{sum(row[1] for row in rows)} opened and {sum(row[2] for row in rows)} closed; "
        f"this week {rows[-1][1]} opened and {rows[-1][2]} closed.",
    }


def open_case_ageing(today: datetime.date) -> dict:
    """Open applications by the days left before their next running deadline, counted in one query."""
    counts = {"none": Count("pk", filter=Q(next_due_on__isnull=True))}
    for key, _, first, last in AGEING_BUCKETS:
        condition = Q(next_due_on__isnull=False)
        if first is not None:
            condition &= Q(next_due_on__gte=today + datetime.timedelta(days=first))
        if last is not None:
            condition &= Q(next_due_on__lte=today + datetime.timedelta(days=last))
        counts[key] = Count("pk", filter=condition)
    result = with_next_deadline(LicenceApplication.objects.open()).aggregate(**counts)
    rows = [(key, label, result[key]) for key, label, _, _ in AGEING_BUCKETS]
    rows.append(("none", "No running clock", result["none"]))
    return {
        "rows": rows,
        "total": sum(row[2] for row in rows),
        "chart": ageing_chart(rows),
        "description": "; ".join(f"{label}: {count}" for _, label, count in rows) + ".",
    }


def build(user) -> dict:
    today = timezone.localdate()
    return {
        "today": today,
        "queue": my_queue(user),
        "pool": pool(user),
        "review": awaiting_review(user),
        "holds": holds(),
        "unassigned": unassigned() if user_can(user, Action.ASSIGN_CASES) else None,
        "expiring": expiring_licences(today),
        "expiry_horizon": EXPIRY_HORIZON_DAYS,
        "deadlines": deadlines_due(user, today=today),
        "hits": hits_to_adjudicate(),
        "charts": {
            "pipeline": pipeline(),
            "decisions": decisions_per_week(today),
        },
        "cases": cases_opened_and_closed(today),
        "ageing": open_case_ageing(today),
    }
