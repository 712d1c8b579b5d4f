"""The /deadlines/ pages: my deadlines and the overdue queue, a deadline, preferences."""

import pytest

from licensing.audit.models import Event
from licensing.cases.services import applications
from licensing.deadlines.models import Deadline, Kind, Notification, Reminder, Subscription

from .conftest import dated, days, deadline_of, make_deadline


@pytest.fixture
def overdue(today, filed, officer, reviewer):
    return make_deadline(filed, due_on=today - days(3), owner=officer, reviewer=reviewer, status="missed")


def test_the_officer_sees_their_overdue_item_and_their_deadlines(today, client, officer, overdue, filed):
    upcoming = make_deadline(filed, kind="appeal", due_on=today + days(5), owner=officer)
    client.force_login(officer)
    response = client.get("/deadlines/")
    assert response.status_code == 200
    assert list(response.context["overdue"]) == [overdue]
    assert list(response.context["mine"]) == [upcoming]
    assert f"/deadlines/{overdue.pk}/" in response.content.decode()


def test_the_admin_sees_every_overdue_item(client, admin_user, overdue):
    client.force_login(admin_user)
    response = client.get("/deadlines/")
    assert list(response.context["overdue"]) == [overdue]


def test_another_officer_does_not_see_it_on_their_queue(client, officer2, overdue):
    client.force_login(officer2)
    assert list(client.get("/deadlines/").context["overdue"]) == []


def test_someone_without_a_role_is_refused(client, outsider, overdue):
    client.force_login(outsider)
    assert client.get("/deadlines/").status_code == 403
    assert client.get(f"/deadlines/{overdue.pk}/").status_code == 403


def test_signing_in_is_required(client, overdue):
    response = client.get("/deadlines/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_deadline_page_shows_how_it_was_worked_out(client, legal, overdue):
    client.force_login(legal)
    response = client.get(f"/deadlines/{overdue.pk}/")
    assert response.status_code == 200
    assert "Set up by the test." in response.content.decode()
    assert response.context["can_settle"] is False


@pytest.fixture
def response_clock(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(20)
    )
    app = run_on_commit(
        applications.record_bis_action,
        actor=officer,
        application=app,
        action="record_intent_to_deny",
        on=today - days(5),
    )
    return deadline_of(Kind.INTENT_TO_DENY_RESPONSE, app)


def test_an_officer_records_a_response_on_the_page(today, client, officer, response_clock):
    client.force_login(officer)
    page = client.get(f"/deadlines/{response_clock.pk}/")
    assert page.context["can_settle"] is True
    response = client.post(
        f"/deadlines/{response_clock.pk}/settle",
        {"status": "met", "on": (today - days(1)).isoformat(), "reason": "Response filed"},
    )
    assert response.status_code == 302
    response_clock.refresh_from_db()
    assert (response_clock.status, response_clock.settled_on) == (Deadline.Status.MET, today - days(1))


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"status": "met", "on": "31/12/2026"}, "on", "Enter a valid date"),
        ({"status": "met", "on": days(1)}, "on", "is in the future"),
        ({"status": "cancelled", "on": days(0), "reason": ""}, "reason", "Say why"),
        ({"status": "missed", "on": days(0)}, "status", "Select a valid choice"),
    ],
)
def test_a_bad_settlement_is_shown_back_with_the_field_named(
    client, officer, response_clock, form, field, words, today
):
    client.force_login(officer)
    response = client.post(f"/deadlines/{response_clock.pk}/settle", dated(form, today, as_text=True))
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    response_clock.refresh_from_db()
    assert response_clock.status == Deadline.Status.OPEN


def test_a_clock_that_follows_the_case_is_refused_on_the_page(today, client, officer, overdue):
    client.force_login(officer)
    response = client.post(f"/deadlines/{overdue.pk}/settle", {"status": "met", "on": today.isoformat()})
    assert response.status_code == 400
    assert "cannot be settled by hand" in " ".join(response.context["form"].non_field_errors())


def test_legal_staff_cannot_settle_on_the_page(today, client, legal, response_clock):
    client.force_login(legal)
    response = client.post(f"/deadlines/{response_clock.pk}/settle", {"status": "met", "on": today.isoformat()})
    assert response.status_code == 403
    assert not Event.objects.filter(verb="deadline.settled").exists()


def test_a_user_chooses_the_daily_digest(client, officer):
    client.force_login(officer)
    assert client.post("/deadlines/preferences", {"daily_digest": "on"}).status_code == 302
    assert Subscription.objects.get(user=officer).daily_digest is True
    client.post("/deadlines/preferences", {})
    assert Subscription.objects.get(user=officer).daily_digest is False


def test_someone_without_a_role_cannot_subscribe(client, outsider):
    client.force_login(outsider)
    assert client.post("/deadlines/preferences", {"daily_digest": "on"}).status_code == 403
    assert not Subscription.objects.exists()


def test_a_user_marks_their_notification_read_but_not_someone_elses(client, officer, officer2, overdue):
    reminder = Reminder.objects.create(deadline=overdue, offset="missed", recipient=officer, delivery="in_app")
    notification = Notification.objects.create(recipient=officer, deadline=overdue, reminder=reminder, title="Missed")
    client.force_login(officer2)
    assert client.post(f"/deadlines/notifications/{notification.pk}/read").status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None
    client.force_login(officer)
    assert client.post(f"/deadlines/notifications/{notification.pk}/read").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
