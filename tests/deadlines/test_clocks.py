"""Each clock computed from a sequence of events, one row per story."""

import datetime
from dataclasses import dataclass, field

import pytest

from licensing.deadlines.clocks import (
    Move,
    Settlement,
    application_clocks,
    bis_711_clock,
    determination_review_clock,
    licence_expiry_clock,
    retention_clock,
)
from licensing.deadlines.models import Kind
from licensing.filings.retention import RetentionDates

d = datetime.date.fromisoformat


def moves(*lines: str) -> list[Move]:
    """'2026-01-05 submitted registered' is a move on that day from the first status to the second."""
    parsed = []
    for line in lines:
        on, before, after = line.split()
        parsed.append(Move(on=d(on), before=before, after=after))
    return parsed


REGISTERED = "2026-01-05 submitted registered"


@dataclass
class Story:
    name: str
    events: list[Move]
    today: str
    # kind -> (due_on, status, settled_on or None, paused_since or None)
    expected: dict
    settlements: list[Settlement] = field(default_factory=list)
    resubmitted_on: str | None = None


STORIES = [
    Story(
        "BIS refers on day 5, agencies take too long, then approval",
        moves(REGISTERED, "2026-01-10 registered referred", "2026-02-20 referred approved"),
        today="2026-03-01",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-10", None),
            Kind.AGENCY_RECOMMENDATION: ("2026-02-09", "missed", "2026-02-20", None),
            Kind.RESOLUTION: ("2026-04-05", "met", "2026-02-20", None),
        },
    ),
    Story(
        "BIS has not acted by day 9: still open on the day itself",
        moves(REGISTERED),
        today="2026-01-14",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "open", None, None),
            Kind.RESOLUTION: ("2026-04-05", "open", None, None),
        },
    ),
    Story(
        "BIS has not acted by day 9: missed the day after",
        moves(REGISTERED),
        today="2026-01-15",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "missed", None, None),
            Kind.RESOLUTION: ("2026-04-05", "open", None, None),
        },
    ),
    Story(
        "90-day clock with two stops: an information request (14 days) and a pre-licence check (20 days)",
        moves(
            REGISTERED,
            "2026-01-20 registered information_requested",
            "2026-02-03 information_requested registered",
            "2026-02-10 registered pre_licence_check",
            "2026-03-02 pre_licence_check referred",
        ),
        today="2026-03-10",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "missed", "2026-01-20", None),
            # 5 January + 90 + 34 stopped days.
            Kind.RESOLUTION: ("2026-05-09", "open", None, None),
            Kind.AGENCY_RECOMMENDATION: ("2026-04-01", "open", None, None),
        },
    ),
    Story(
        "90-day clock stopped now: the due day moves on with each day of the stop",
        moves(REGISTERED, "2026-01-08 registered referred", "2026-03-01 referred pre_licence_check"),
        today="2026-03-11",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-08", None),
            Kind.AGENCY_RECOMMENDATION: ("2026-02-07", "missed", "2026-03-01", None),
            Kind.RESOLUTION: ("2026-04-15", "open", None, "2026-03-01"),
        },
    ),
    Story(
        "90-day clock already run out before it stopped stays missed",
        moves(REGISTERED, "2026-01-08 registered referred", "2026-04-10 referred information_requested"),
        today="2026-04-20",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-08", None),
            Kind.AGENCY_RECOMMENDATION: ("2026-02-07", "missed", "2026-04-10", None),
            Kind.RESOLUTION: ("2026-04-15", "missed", None, None),
        },
    ),
    Story(
        "Intent to deny: 20 days to respond, final on day 45, the 90-day clock stopped",
        moves(REGISTERED, "2026-02-01 registered intent_to_deny"),
        today="2026-02-10",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "missed", "2026-02-01", None),
            Kind.INTENT_TO_DENY_RESPONSE: ("2026-02-21", "open", None, None),
            Kind.DENIAL_FINAL: ("2026-03-18", "open", None, None),
            Kind.RESOLUTION: ("2026-04-14", "open", None, "2026-02-01"),
        },
    ),
    Story(
        "Intent to deny with no response recorded by day 20",
        moves(REGISTERED, "2026-01-09 registered intent_to_deny"),
        today="2026-01-30",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-09", None),
            Kind.INTENT_TO_DENY_RESPONSE: ("2026-01-29", "missed", None, None),
            Kind.DENIAL_FINAL: ("2026-02-23", "open", None, None),
            Kind.RESOLUTION: ("2026-04-26", "open", None, "2026-01-09"),
        },
    ),
    Story(
        "Intent to deny answered on day 10, as the officer recorded",
        moves(REGISTERED, "2026-01-09 registered intent_to_deny"),
        today="2026-01-30",
        settlements=[Settlement(Kind.INTENT_TO_DENY_RESPONSE, "met", d("2026-01-19"))],
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-09", None),
            Kind.INTENT_TO_DENY_RESPONSE: ("2026-01-29", "met", "2026-01-19", None),
            Kind.DENIAL_FINAL: ("2026-02-23", "open", None, None),
            Kind.RESOLUTION: ("2026-04-26", "open", None, "2026-01-09"),
        },
    ),
    Story(
        "Intent to deny, answered, then denied on day 45: the appeal window opens",
        moves(REGISTERED, "2026-01-09 registered intent_to_deny", "2026-02-23 intent_to_deny denied"),
        today="2026-03-01",
        settlements=[Settlement(Kind.INTENT_TO_DENY_RESPONSE, "met", d("2026-01-19"))],
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-09", None),
            Kind.INTENT_TO_DENY_RESPONSE: ("2026-01-29", "met", "2026-01-19", None),
            Kind.DENIAL_FINAL: ("2026-02-23", "met", "2026-02-23", None),
            Kind.APPEAL: ("2026-04-09", "open", None, None),
            # 45 days stopped during the intent-to-deny talks.
            Kind.RESOLUTION: ("2026-05-20", "met", "2026-02-23", None),
        },
    ),
    Story(
        "Intent to deny overcome: approval closes the response and cancels the denial",
        moves(REGISTERED, "2026-01-09 registered intent_to_deny", "2026-01-25 intent_to_deny approved"),
        today="2026-03-01",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-09", None),
            Kind.INTENT_TO_DENY_RESPONSE: ("2026-01-29", "met", "2026-01-25", None),
            Kind.DENIAL_FINAL: ("2026-02-23", "cancelled", "2026-01-25", None),
            Kind.RESOLUTION: ("2026-04-21", "met", "2026-01-25", None),
        },
    ),
    Story(
        "Appeal not filed in 45 days",
        moves(REGISTERED, "2026-01-10 registered denied"),
        today="2026-02-25",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-10", None),
            Kind.RESOLUTION: ("2026-04-05", "met", "2026-01-10", None),
            Kind.APPEAL: ("2026-02-24", "missed", None, None),
        },
    ),
    Story(
        "Withdrawn before BIS acted: its clocks are cancelled",
        moves(REGISTERED, "2026-01-07 registered withdrawn"),
        today="2026-03-01",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "cancelled", "2026-01-07", None),
            Kind.RESOLUTION: ("2026-04-05", "cancelled", "2026-01-07", None),
        },
    ),
    Story(
        "Returned without action and resubmitted in time",
        moves(REGISTERED, "2026-01-09 registered returned_without_action"),
        today="2026-03-01",
        resubmitted_on="2026-02-01",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-09", None),
            Kind.RESOLUTION: ("2026-04-05", "met", "2026-01-09", None),
            Kind.RWA_RESUBMISSION: ("2026-02-08", "met", "2026-02-01", None),
        },
    ),
    Story(
        "Returned without action and not resubmitted",
        moves(REGISTERED, "2026-01-09 registered returned_without_action"),
        today="2026-02-09",
        expected={
            Kind.BIS_ACTION: ("2026-01-14", "met", "2026-01-09", None),
            Kind.RESOLUTION: ("2026-04-05", "met", "2026-01-09", None),
            Kind.RWA_RESUBMISSION: ("2026-02-08", "missed", None, None),
        },
    ),
    Story(
        "A draft still in review starts no clock",
        moves("2026-01-02 draft in_review", "2026-01-03 in_review approved_for_filing"),
        today="2026-03-01",
        expected={},
    ),
]


@pytest.mark.parametrize("story", STORIES, ids=[s.name for s in STORIES])
def test_application_clocks_follow_the_events(story):
    clocks = application_clocks(
        story.events,
        today=d(story.today),
        settlements=story.settlements,
        resubmitted_on=d(story.resubmitted_on) if story.resubmitted_on else None,
        rwa_resubmission_days=30,
    )
    got = {
        clock.kind: (
            clock.due_on.isoformat(),
            clock.status,
            clock.settled_on.isoformat() if clock.settled_on else None,
            clock.paused_since.isoformat() if clock.paused_since else None,
        )
        for clock in clocks
    }
    assert got == story.expected


def test_the_stopped_days_and_the_basis_are_reported():
    clocks = application_clocks(STORIES[3].events, today=d("2026-03-10"))
    resolution = next(clock for clock in clocks if clock.kind == Kind.RESOLUTION)
    assert resolution.stopped_days == 34
    assert resolution.basis == "Registered on 2026-01-05; 90 days plus 34 days with the clock stopped."


EXPIRIES = [
    # (valid_until, today, ended, expected due_on, status, settled_on)
    ("2026-12-25", "2026-12-01", None, "2026-12-28", "open", None),  # Christmas, a Friday
    ("2026-11-11", "2026-11-01", None, "2026-11-12", "open", None),  # Veterans Day, a Wednesday
    ("2026-07-04", "2026-07-01", None, "2026-07-06", "open", None),  # Independence Day, a Saturday
    ("2026-06-17", "2026-06-01", None, "2026-06-17", "open", None),  # an ordinary Wednesday
    ("2026-06-17", "2026-06-18", None, "2026-06-17", "met", "2026-06-17"),  # the day passed
    ("2026-06-17", "2026-06-18", ("expired", "2026-06-18"), "2026-06-17", "met", "2026-06-17"),
    ("2026-06-17", "2026-06-01", ("revoked", "2026-05-02"), "2026-06-17", "cancelled", "2026-05-02"),
]


@pytest.mark.parametrize(("valid_until", "today", "ended", "due_on", "status", "settled_on"), EXPIRIES)
def test_licence_expiry_moves_off_weekends_and_federal_holidays(valid_until, today, ended, due_on, status, settled_on):
    clock = licence_expiry_clock(
        valid_from=d("2022-06-17"),
        valid_until=d(valid_until),
        today=d(today),
        ended=(ended[0], d(ended[1])) if ended else None,
    )
    assert clock.kind == Kind.LICENCE_EXPIRY
    assert (clock.due_on.isoformat(), clock.status) == (due_on, status)
    assert (clock.settled_on.isoformat() if clock.settled_on else None) == settled_on


def test_a_holiday_expiry_says_why_it_moved():
    clock = licence_expiry_clock(valid_from=d("2022-12-25"), valid_until=d("2026-12-25"), today=d("2026-12-01"))
    assert "expiry moves to the next business day, 2026-12-28" in clock.basis


BIS_711 = [
    # (signed_on, later_use, filed_on, today, kind, due_on, status)
    ("2025-03-01", False, "2026-02-27", "2026-03-05", Kind.BIS_711_FIRST_FILING, "2026-03-01", "met"),
    ("2025-03-01", False, "2026-03-02", "2026-03-05", Kind.BIS_711_FIRST_FILING, "2026-03-01", "missed"),
    ("2025-03-01", False, None, "2026-03-02", Kind.BIS_711_FIRST_FILING, "2026-03-01", "missed"),
    ("2025-03-01", False, None, "2026-02-01", Kind.BIS_711_FIRST_FILING, "2026-03-01", "open"),
    ("2024-02-29", False, None, "2024-06-01", Kind.BIS_711_FIRST_FILING, "2025-02-28", "open"),
    ("2025-03-01", True, "2028-06-01", "2028-06-02", Kind.BIS_711_LATER_FILING, "2029-03-01", "met"),
    ("2025-03-01", True, None, "2029-03-02", Kind.BIS_711_LATER_FILING, "2029-03-01", "missed"),
]


@pytest.mark.parametrize(("signed_on", "later_use", "filed_on", "today", "kind", "due_on", "status"), BIS_711)
def test_bis_711_windows_run_one_year_for_the_first_use_and_four_for_later_ones(
    signed_on, later_use, filed_on, today, kind, due_on, status
):
    clock = bis_711_clock(
        signed_on=d(signed_on), later_use=later_use, filed_on=d(filed_on) if filed_on else None, today=d(today)
    )
    assert (clock.kind, clock.due_on.isoformat(), clock.status) == (kind, due_on, status)


def test_an_unfiled_application_withdrawn_cancels_its_bis_711_window():
    clock = bis_711_clock(
        signed_on=d("2025-03-01"), later_use=False, abandoned_on=d("2025-06-01"), today=d("2026-06-01")
    )
    assert (clock.status, clock.settled_on) == ("cancelled", d("2025-06-01"))


@pytest.mark.parametrize(
    ("superseded_on", "today", "status"),
    [(None, "2026-06-01", "open"), (None, "2026-06-02", "missed"), ("2026-05-20", "2026-07-01", "met")],
)
def test_a_determination_is_reviewed_by_its_review_date(superseded_on, today, status):
    clock = determination_review_clock(
        effective_on=d("2025-06-01"),
        review_by=d("2026-06-01"),
        superseded_on=d(superseded_on) if superseded_on else None,
        today=d(today),
    )
    assert (clock.kind, clock.due_on, clock.status) == (Kind.DETERMINATION_REVIEW, d("2026-06-01"), status)


@pytest.mark.parametrize(
    "exported, transfer, ended, today, starts, due, status",
    [
        # The end of the transaction is the latest date.
        ("2026-02-20", None, "2030-02-20", "2026-03-01", "2030-02-20", "2035-02-20", "open"),
        # A known reexport after the end: the five years run from it.
        ("2026-02-20", "2031-06-30", "2030-02-20", "2031-07-01", "2031-06-30", "2036-06-30", "open"),
        # Once the day passes the records may go: the clock is met, not missed.
        ("2019-05-01", None, "2020-01-10", "2025-01-11", "2020-01-10", "2025-01-10", "met"),
    ],
)
def test_the_retention_clock_runs_from_the_latest_date_to_the_cases_destroy_after_date(
    exported, transfer, ended, today, starts, due, status
):
    basis = "transfer" if transfer and transfer > ended else "end_of_transaction"
    dates = RetentionDates(d(exported), d(ended), d(transfer) if transfer else None, d(due), basis)
    clock = retention_clock(retention=dates, today=d(today))
    assert (clock.starts_on, clock.due_on, clock.status) == (d(starts), d(due), status)
    assert clock.kind == Kind.RECORD_RETENTION
    # The basis names every date it weighed.
    for day in filter(None, (exported, transfer, ended)):
        assert day in clock.basis


def test_no_retention_clock_runs_while_the_transaction_does():
    running = RetentionDates(d("2026-02-20"), None, None, None, "")
    assert retention_clock(retention=running, today=d("2026-03-01")) is None
