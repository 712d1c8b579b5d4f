"""Overdue deadlines appear on the queues of those who answer for them."""

from licensing.deadlines.queues import overdue_queue, upcoming_for

from .conftest import days, make_deadline


def test_overdue_items_appear_on_the_officers_and_the_admins_queues(
    today, filed, officer, officer2, reviewer, reviewer2, admin_user, legal
):
    missed = make_deadline(filed, due_on=today - days(2), owner=officer, reviewer=reviewer, status="missed")
    lapsed = make_deadline(filed, kind="appeal", due_on=today - days(1), owner=officer2)
    make_deadline(filed, kind="resolution", due_on=today + days(3), owner=officer)
    assert list(overdue_queue(officer)) == [missed]
    assert list(overdue_queue(officer2)) == [lapsed]
    assert list(overdue_queue(admin_user)) == [missed, lapsed]
    assert list(overdue_queue(reviewer)) == [missed]
    assert list(overdue_queue(reviewer2)) == []
    assert list(overdue_queue(legal)) == []


def test_settled_stopped_and_future_deadlines_are_not_overdue(today, filed, officer, admin_user):
    closed = make_deadline(filed, due_on=today - days(2), owner=officer, status="missed")
    closed.settled_on = today
    closed.save()
    stopped = make_deadline(filed, kind="resolution", due_on=today - days(1), owner=officer)
    stopped.paused_since = today - days(5)
    stopped.save()
    make_deadline(filed, kind="appeal", due_on=today, owner=officer)
    assert list(overdue_queue(admin_user)) == []


def test_an_inactive_user_has_an_empty_queue(today, filed, officer):
    make_deadline(filed, due_on=today - days(2), owner=officer, status="missed")
    officer.is_active = False
    assert list(overdue_queue(officer)) == []


def test_my_deadlines_are_my_open_ones_soonest_first(today, filed, officer, officer2):
    later = make_deadline(filed, due_on=today + days(40), owner=officer)
    sooner = make_deadline(filed, kind="appeal", due_on=today + days(3), owner=officer)
    make_deadline(filed, kind="resolution", due_on=today + days(1), owner=officer2)
    make_deadline(filed, kind="bis_action", due_on=today + days(200), owner=officer)
    assert list(upcoming_for(officer)) == [sooner, later]
