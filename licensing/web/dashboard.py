"""What the dashboard reads: each panel is one query, whatever the number of rows."""

import datetime

from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.cases.models import Decision, Licence, LicenceApplication, Transaction
from licensing.cases.queues import unassigned_pool, with_next_deadline
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination

from .neighbours import deadlines_due, hits_to_adjudicate

PANEL_ROWS = 8
EXPIRY_HORIZON_DAYS = 90
CHART_WEEKS = 12
# Days from billing's request to a final decision (authorised or refused).
WAIT_BUCKETS = (
    (0, 1, "Same day"),
    (1, 8, "1–7 days"),
    (8, 31, "8–30 days"),
    (31, 91, "31–90 days"),
    (91, None, "Over 90 days"),
)

A = LicenceApplication.Status


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


def decisions_per_week(today: datetime.date) -> dict:
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = [monday - datetime.timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    start = timezone.make_aware(datetime.datetime.combine(weeks[0], datetime.time.min))
    decided = (
        Transaction.objects.filter(decided_at__gte=start)
        .annotate(week=TruncWeek("decided_at"))
        .values_list("week", "decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    for week, decision, n in decided:
        week_day = week.date() if isinstance(week, datetime.datetime) else week
        counts[(week_day, decision)] = n
    labels = [f"{w:%d %b}" for w in weeks]
    series = [
        {"label": label, "key": value, "values": [counts.get((w, value), 0) for w in weeks]}
        for value, label in Decision.choices
    ]
    rows = [(label, [s["values"][i] for s in series]) for i, label in enumerate(labels)]
    return {"labels": labels, "series": series, "rows": rows}


def request_to_decision(today: datetime.date) -> dict:
    """How long billing waited for a final answer, for decisions in the last half year."""
    wait = ExpressionWrapper(F("decided_at") - F("requested_at"), output_field=DurationField())
    since = timezone.now() - datetime.timedelta(weeks=26)
    decided = Transaction.objects.filter(
        decision__in=[Decision.AUTHORISED, Decision.REFUSED], decided_at__gte=since
    ).annotate(wait=wait)
    aggregates: dict[str, Aggregate] = {"average": Avg("wait")}
    for n, (low, high, _) in enumerate(WAIT_BUCKETS):
        condition = Q(wait__gte=datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(wait__lt=datetime.timedelta(days=high))
        aggregates[f"bucket{n}"] = Count("pk", filter=condition)
    result = decided.aggregate(**aggregates)
    average = result.pop("average")
    labels = [label for _, _, label in WAIT_BUCKETS]
    values = [result[f"bucket{n}"] for n in range(len(WAIT_BUCKETS))]
    return {
        "labels": labels,
        "values": values,
        "rows": list(zip(labels, values, strict=True)),
        "average_days": round(average.total_seconds() / 86400, 1) if average is not None else None,
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
            "waits": request_to_decision(today),
        },
    }
