"""The private iCalendar feed of a user's deadlines."""

import icalendar

from licensing.deadlines.models import Subscription

from .conftest import days, make_deadline


def _address(client, user) -> str:
    client.force_login(user)
    response = client.post("/deadlines/calendar")
    assert response.status_code == 200
    client.logout()
    return response.context["calendar_address"].removeprefix("http://testserver")


def test_the_feed_lists_my_deadlines_as_all_day_events(today, client, officer, officer2, filed):
    mine = make_deadline(filed, due_on=today + days(7), owner=officer)
    make_deadline(filed, kind="appeal", due_on=today + days(9), owner=officer2)
    make_deadline(filed, kind="resolution", due_on=today + days(9), owner=officer, status="cancelled")
    response = client.get(_address(client, officer))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"deadline-{mine.pk}@exportdesk"
    assert event.decoded("dtstart") == today + days(7)
    assert event.decoded("dtend") == today + days(8)
    assert str(event["summary"]).startswith("Licence expiry, EXD-")


def test_an_overdue_deadline_says_so_in_the_feed(today, client, officer, filed):
    make_deadline(filed, due_on=today - days(1), owner=officer, status="missed")
    calendar = icalendar.Calendar.from_ical(client.get(_address(client, officer)).content)
    assert str(calendar.walk("VEVENT")[0]["summary"]).startswith("OVERDUE: ")


def test_only_a_hash_of_the_address_is_kept(client, officer):
    address = _address(client, officer)
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    stored = Subscription.objects.get(user=officer).calendar_token_hash
    assert secret not in stored and len(stored) == 64


def test_a_new_address_ends_the_old_one(client, officer):
    old = _address(client, officer)
    new = _address(client, officer)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_guessed_address_finds_nothing(client, officer):
    _address(client, officer)
    assert client.get("/deadlines/calendar/not-a-real-secret.ics").status_code == 404


def test_a_deactivated_user_feed_stops(client, officer):
    address = _address(client, officer)
    officer.is_active = False
    officer.save()
    assert client.get(address).status_code == 404


def test_someone_without_a_role_gets_no_address(client, outsider):
    client.force_login(outsider)
    assert client.post("/deadlines/calendar").status_code == 403
    assert not Subscription.objects.exists()
