"""The clocks of Executive Order 12981 and Parts 750, 756 and 762, as pure functions.

Each function takes what happened (status changes read from the event log,
dates recorded on the rows) and the day it is, and returns the `Clock`s that
follow: when each runs out and whether it was met, missed or cancelled. They
touch no database, so a table of event sequences can test them directly.
Days are calendar days except where the rule says business days.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from licensing.cases.models import Licence, LicenceApplication
from licensing.filings.retention import RetentionDates
from licensing.reference.calendar import add_years, next_business_day

from .models import Deadline, Kind
from .rules import PASSES_AS_MET

A = LicenceApplication.Status
S = Deadline.Status
DAY = datetime.timedelta(days=1)

# 750.4(b): days BIS spends waiting on the applicant or on checks abroad do
# not count towards the 90 days.
CLOCK_STOPPED = frozenset({A.INFORMATION_REQUESTED, A.PRE_LICENCE_CHECK, A.INTENT_TO_DENY})
RESOLVED = frozenset(
    {A.APPROVED, A.APPROVED_WITH_CONDITIONS, A.DENIED, A.RETURNED_WITHOUT_ACTION, A.RETURNED_NOT_REQUIRED}
)
APPROVED = frozenset({A.APPROVED, A.APPROVED_WITH_CONDITIONS})

BIS_ACTION_DAYS = 9
AGENCY_RECOMMENDATION_DAYS = 30
RESOLUTION_DAYS = 90
INTENT_TO_DENY_RESPONSE_DAYS = 20
DENIAL_FINAL_DAYS = 45
APPEAL_DAYS = 45


@dataclass(frozen=True)
class Move:
    """One status change of an application, on the day it happened."""

    on: datetime.date
    before: str
    after: str


@dataclass(frozen=True)
class Settlement:
    """An officer's record that a clock was met, or no longer applies, on a day."""

    kind: str
    status: str
    on: datetime.date


@dataclass(frozen=True)
class Clock:
    kind: str
    starts_on: datetime.date
    due_on: datetime.date
    status: str
    settled_on: datetime.date | None = None
    paused_since: datetime.date | None = None
    stopped_days: int = 0
    basis: str = ""


def conclude(
    kind: str,
    *,
    starts_on: datetime.date,
    due_on: datetime.date,
    today: datetime.date,
    done_on: datetime.date | None = None,
    cancelled_on: datetime.date | None = None,
    settlements: Iterable[Settlement] = (),
    paused_since: datetime.date | None = None,
    stopped_days: int = 0,
    basis: str = "",
) -> Clock:
    """Decide a clock's status from what ended it (if anything) and the day it is."""
    for settlement in settlements:
        if settlement.kind != kind:
            continue
        if settlement.status == S.MET:
            done_on = min(filter(None, (done_on, settlement.on)))
        elif settlement.status == S.CANCELLED:
            cancelled_on = min(filter(None, (cancelled_on, settlement.on)))
    ends = sorted(
        [(on, S.MET) for on in (done_on,) if on] + [(on, S.CANCELLED) for on in (cancelled_on,) if on],
        key=lambda end: (end[0], end[1] != S.MET),
    )
    common: dict[str, Any] = {
        "kind": kind,
        "starts_on": starts_on,
        "due_on": due_on,
        "stopped_days": stopped_days,
        "basis": basis,
    }
    if ends and ends[0][0] <= due_on:
        return Clock(status=ends[0][1], settled_on=ends[0][0], **common)
    if kind in PASSES_AS_MET and (ends or today > due_on):
        return Clock(status=S.MET, settled_on=due_on, **common)
    if ends:
        # Done, or no longer needed, only after the day had passed.
        return Clock(status=S.MISSED, settled_on=ends[0][0], **common)
    if today > due_on:
        return Clock(status=S.MISSED, **common)
    return Clock(status=S.OPEN, paused_since=paused_since, **common)


def application_clocks(
    moves: Sequence[Move],
    *,
    today: datetime.date,
    settlements: Iterable[Settlement] = (),
    resubmitted_on: datetime.date | None = None,
    rwa_resubmission_days: int = 30,
) -> list[Clock]:
    """Return the clocks BIS's handling of one application has started, in the order of the moves."""
    settlements = tuple(settlements)
    clocks: list[Clock] = []
    registration = _last(moves, lambda m: m.before == A.SUBMITTED and m.after == A.REGISTERED)
    if registration is not None:
        clocks += [
            _bis_action(moves, registration, today),
            _resolution(moves, registration, today),
        ]
    referral = _last(moves, lambda m: m.after == A.REFERRED)
    if referral is not None:
        following = _next(moves, referral)
        clocks.append(
            conclude(
                Kind.AGENCY_RECOMMENDATION,
                starts_on=moves[referral].on,
                due_on=moves[referral].on + AGENCY_RECOMMENDATION_DAYS * DAY,
                today=today,
                done_on=following.on if following and following.after != A.WITHDRAWN else None,
                cancelled_on=following.on if following and following.after == A.WITHDRAWN else None,
                basis=f"Referred to agencies on {moves[referral].on}; they recommend within 30 days.",
            )
        )
    intent = _last(moves, lambda m: m.after == A.INTENT_TO_DENY)
    if intent is not None:
        clocks += _intent_to_deny(moves, intent, today, settlements)
    denial = _last(moves, lambda m: m.after == A.DENIED)
    if denial is not None:
        denied_on = moves[denial].on
        clocks.append(
            conclude(
                Kind.APPEAL,
                starts_on=denied_on,
                due_on=denied_on + APPEAL_DAYS * DAY,
                today=today,
                settlements=settlements,
                basis=f"Denied on {denied_on}; an appeal (Part 756) is due within 45 days.",
            )
        )
    returned = _last(moves, lambda m: m.after == A.RETURNED_WITHOUT_ACTION)
    if returned is not None:
        returned_on = moves[returned].on
        clocks.append(
            conclude(
                Kind.RWA_RESUBMISSION,
                starts_on=returned_on,
                due_on=returned_on + rwa_resubmission_days * DAY,
                today=today,
                done_on=resubmitted_on if resubmitted_on and resubmitted_on >= returned_on else None,
                settlements=settlements,
                basis=(
                    f"Returned without action on {returned_on}; the company resubmits within "
                    f"{rwa_resubmission_days} days (its own target: the regulation sets none)."
                ),
            )
        )
    return clocks


def _bis_action(moves, registration: int, today) -> Clock:
    registered_on = moves[registration].on
    following = _next(moves, registration)
    return conclude(
        Kind.BIS_ACTION,
        starts_on=registered_on,
        due_on=registered_on + BIS_ACTION_DAYS * DAY,
        today=today,
        done_on=following.on if following and following.after != A.WITHDRAWN else None,
        cancelled_on=following.on if following and following.after == A.WITHDRAWN else None,
        basis=f"Registered on {registered_on}; BIS acts or refers within 9 days.",
    )


def _resolution(moves, registration: int, today) -> Clock:
    registered_on = moves[registration].on
    stopped_days = 0
    stopped_since = None
    done_on = cancelled_on = None
    for move in moves[registration + 1 :]:
        if move.after in CLOCK_STOPPED and stopped_since is None:
            stopped_since = move.on
        elif move.after not in CLOCK_STOPPED and stopped_since is not None:
            stopped_days += max(0, (move.on - stopped_since).days)
            stopped_since = None
        if move.after in RESOLVED:
            done_on = move.on
            break
        if move.after == A.WITHDRAWN:
            cancelled_on = move.on
            break
    # While the clock is stopped the due day moves on with every day that
    # passes; the daily refresh recomputes it.
    ongoing = max(0, (today - stopped_since).days) if stopped_since is not None else 0
    basis = f"Registered on {registered_on}; 90 days"
    if stopped_days or ongoing:
        basis += f" plus {stopped_days + ongoing} days with the clock stopped"
    if stopped_since is not None:
        basis += f" (stopped since {stopped_since})"
    return conclude(
        Kind.RESOLUTION,
        starts_on=registered_on,
        due_on=registered_on + (RESOLUTION_DAYS + stopped_days + ongoing) * DAY,
        today=today,
        done_on=done_on,
        cancelled_on=cancelled_on,
        paused_since=stopped_since,
        stopped_days=stopped_days + ongoing,
        basis=basis + ".",
    )


def _intent_to_deny(moves, intent: int, today, settlements) -> list[Clock]:
    notified_on = moves[intent].on
    following = _next(moves, intent)
    after = following.after if following else None
    # The applicant's recorded response meets its 20 days; BIS still decides by day 45.
    answered = following if after == A.INTENT_TO_DENY_ANSWERED else None
    decided = _next(moves, intent + 1) if answered is not None else following
    outcome = decided.after if decided else None
    response_basis = f"Intent to deny notified on {notified_on}; the applicant responds within 20 days."
    if answered is not None:
        response_basis += f" Response recorded on {answered.on}."
    response = conclude(
        Kind.INTENT_TO_DENY_RESPONSE,
        starts_on=notified_on,
        due_on=notified_on + INTENT_TO_DENY_RESPONSE_DAYS * DAY,
        today=today,
        # A recorded response meets the clock; an approval after the notice means the response carried the day.
        done_on=answered.on if answered is not None else (following.on if following and after in APPROVED else None),
        cancelled_on=following.on if following and after == A.WITHDRAWN else None,
        settlements=settlements,
        basis=response_basis,
    )
    final = conclude(
        Kind.DENIAL_FINAL,
        starts_on=notified_on,
        due_on=notified_on + DENIAL_FINAL_DAYS * DAY,
        today=today,
        done_on=decided.on if decided and outcome == A.DENIED else None,
        cancelled_on=decided.on if decided and outcome != A.DENIED else None,
        basis=f"Intent to deny notified on {notified_on}; the denial is final on day 45.",
    )
    return [response, final]


def information_request_clock(
    *,
    requested_on: datetime.date,
    respond_by: datetime.date,
    today: datetime.date,
    answered_on: datetime.date | None = None,
    abandoned_on: datetime.date | None = None,
    settlements: Iterable[Settlement] = (),
) -> Clock:
    """BIS asked for information on a day and wants it by another; the 90-day clock is stopped meanwhile."""
    return conclude(
        Kind.INFORMATION_REQUEST_ANSWER,
        starts_on=requested_on,
        due_on=respond_by,
        today=today,
        done_on=answered_on,
        cancelled_on=abandoned_on,
        settlements=settlements,
        basis=f"BIS asked for information on {requested_on} and wants the answer by {respond_by}; "
        "the 90-day clock is stopped until it is supplied (750.4).",
    )


def licence_expiry_clock(
    *,
    valid_from: datetime.date,
    valid_until: datetime.date,
    today: datetime.date,
    ended: tuple[str, datetime.date] | None = None,
) -> Clock:
    """Expiry (750.7(g)), moved off weekends and federal holidays; `ended` is (status, day) if it left active."""
    expires_on = next_business_day(valid_until)
    basis = f"Valid from {valid_from} until {valid_until}"
    if expires_on != valid_until:
        basis += f", a weekend or federal holiday; expiry moves to the next business day, {expires_on}"
    status, ended_on = ended or (None, None)
    return conclude(
        Kind.LICENCE_EXPIRY,
        starts_on=valid_from,
        due_on=expires_on,
        today=today,
        done_on=ended_on if status == Licence.Status.EXPIRED else None,
        cancelled_on=ended_on if status not in (None, Licence.Status.EXPIRED) else None,
        basis=basis + ".",
    )


def bis_711_clock(
    *,
    signed_on: datetime.date,
    later_use: bool,
    today: datetime.date,
    filed_on: datetime.date | None = None,
    abandoned_on: datetime.date | None = None,
    settlements: Iterable[Settlement] = (),
) -> Clock:
    """748.11: the first application relying on a BIS-711 is filed within 1 year of signature, later ones 4."""
    years = 4 if later_use else 1
    kind = Kind.BIS_711_LATER_FILING if later_use else Kind.BIS_711_FIRST_FILING
    return conclude(
        kind,
        starts_on=signed_on,
        due_on=add_years(signed_on, years),
        today=today,
        done_on=filed_on,
        cancelled_on=abandoned_on,
        settlements=settlements,
        basis=f"BIS-711 signed on {signed_on}; "
        + (
            "a later application relying on it is filed within 4 years."
            if later_use
            else "the first application relying on it is filed within 1 year."
        ),
    )


def determination_review_clock(
    *,
    effective_on: datetime.date,
    review_by: datetime.date,
    today: datetime.date,
    superseded_on: datetime.date | None = None,
    settlements: Iterable[Settlement] = (),
) -> Clock:
    """A determination is reviewed (a new one approved) by its review-by date."""
    return conclude(
        Kind.DETERMINATION_REVIEW,
        starts_on=effective_on,
        due_on=review_by,
        today=today,
        done_on=superseded_on,
        settlements=settlements,
        basis=f"Effective from {effective_on}; review by {review_by}.",
    )


def visa_expiry_clock(
    *,
    recorded_on: datetime.date,
    expires_on: datetime.date,
    today: datetime.date,
    replaced_on: datetime.date | None = None,
) -> Clock:
    """A foreign national's visa runs out on its expiry date, unless a newer visa was recorded first."""
    return conclude(
        Kind.VISA_EXPIRY,
        starts_on=min(recorded_on, expires_on),
        due_on=expires_on,
        today=today,
        cancelled_on=replaced_on,
        basis=f"Visa recorded on {recorded_on}, expiring on {expires_on}"
        + (f"; a newer visa was recorded on {replaced_on}." if replaced_on else "."),
    )


def retention_clock(*, retention: RetentionDates, today: datetime.date) -> Clock | None:
    """762.6: the records are kept until the case's destroy-after date; None while the transaction runs.

    The dates come whole from `licensing.filings.retention.retention_dates`,
    the computation the retention record and the legal package read too.
    """
    starts_on = retention.starts_on
    if retention.destroy_after_on is None or starts_on is None:
        return None
    return conclude(
        Kind.RECORD_RETENTION,
        starts_on=starts_on,
        due_on=retention.destroy_after_on,
        today=today,
        basis=retention.explanation(),
    )


def _last(moves: Sequence[Move], predicate) -> int | None:
    for index in range(len(moves) - 1, -1, -1):
        if predicate(moves[index]):
            return index
    return None


def _next(moves: Sequence[Move], index: int) -> Move | None:
    return moves[index + 1] if index + 1 < len(moves) else None
