"""An officer records that a clock no status change closes was met, or no longer applies."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.cases.services import applications
from licensing.deadlines.models import Deadline, Kind
from licensing.deadlines.services import settle_deadline

from .conftest import dated, days, deadline_of

Status = Deadline.Status


@pytest.fixture
def intent_to_deny(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(30)
    )
    return run_on_commit(
        applications.record_bis_action,
        actor=officer,
        application=app,
        action="record_intent_to_deny",
        on=today - days(10),
    )


def test_an_officer_records_the_response_to_an_intent_to_deny(today, intent_to_deny, officer):
    response = deadline_of(Kind.INTENT_TO_DENY_RESPONSE, intent_to_deny)
    settled = settle_deadline(
        actor=officer, deadline=response, status="met", on=today - days(2), reason="Letter sent via SNAP-R"
    )
    assert (settled.status, settled.settled_on) == (Status.MET, today - days(2))
    event = Event.objects.for_target(intent_to_deny).get(verb="deadline.settled")
    assert (event.actor, event.reason) == (officer, "Letter sent via SNAP-R")
    assert event.after["kind"] == Kind.INTENT_TO_DENY_RESPONSE


def test_a_missed_response_can_be_closed_but_stays_missed(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(30)
    )
    app = run_on_commit(
        applications.record_bis_action,
        actor=officer,
        application=app,
        action="record_intent_to_deny",
        on=today - days(25),
    )
    response = deadline_of(Kind.INTENT_TO_DENY_RESPONSE, app)
    assert response.is_overdue(today)
    settled = settle_deadline(actor=officer, deadline=response, status="cancelled", reason="Case abandoned")
    assert (settled.status, settled.settled_on) == (Status.MISSED, today)
    assert not settled.is_overdue(today)


def test_legal_staff_cannot_settle_a_deadline(intent_to_deny, legal):
    response = deadline_of(Kind.INTENT_TO_DENY_RESPONSE, intent_to_deny)
    with pytest.raises(PermissionDenied):
        settle_deadline(actor=legal, deadline=response, status="met")
    response.refresh_from_db()
    assert response.status == Status.OPEN
    assert not Event.objects.filter(verb="deadline.settled").exists()


def test_a_clock_that_follows_the_case_cannot_be_settled_by_hand(intent_to_deny, officer):
    final = deadline_of(Kind.DENIAL_FINAL, intent_to_deny)
    with pytest.raises(ValidationError) as error:
        settle_deadline(actor=officer, deadline=final, status="met")
    assert "kind" in error.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "missed"}, "status"),
        ({"status": "met", "on": days(1)}, "on"),
        ({"status": "met", "on": days(-11)}, "on"),
        ({"status": "cancelled", "reason": "  "}, "reason"),
        ({"status": "met", "on": "2026-01-01"}, "on"),
    ],
)
def test_bad_settlements_are_refused_naming_the_field(intent_to_deny, officer, changes, field, today):
    response = deadline_of(Kind.INTENT_TO_DENY_RESPONSE, intent_to_deny)
    with pytest.raises(ValidationError) as error:
        settle_deadline(actor=officer, deadline=response, **dated(changes, today))
    assert field in error.value.message_dict
    assert not Event.objects.filter(verb="deadline.settled").exists()


def test_a_deadline_settled_already_is_not_settled_twice(intent_to_deny, officer, officer2):
    response = deadline_of(Kind.INTENT_TO_DENY_RESPONSE, intent_to_deny)
    settle_deadline(actor=officer, deadline=response, status="met")
    with pytest.raises(ValidationError, match="met already"):
        settle_deadline(actor=officer2, deadline=response, status="met")
    assert Event.objects.filter(verb="deadline.settled").count() == 1
