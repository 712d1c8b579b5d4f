"""GET /api/v1/deadlines with its filters."""

import pytest

from ..factories import UserFactory
from .conftest import dated, days, make_deadline

URL = "/api/v1/deadlines"


@pytest.fixture
def three(today, filed, officer, officer2, reviewer):
    return [
        make_deadline(filed, due_on=today - days(2), owner=officer, reviewer=reviewer, status="missed"),
        make_deadline(filed, kind="appeal", due_on=today + days(10), owner=officer2),
        make_deadline(filed, kind="resolution", due_on=today + days(40), owner=officer),
    ]


def messages_for(response, field: str) -> str:
    """The error messages about one query parameter, from a problem document or DRF's plain form."""
    body = response.json()
    if "errors" in body:
        return " ".join(error["message"] for error in body["errors"] if error["field"] == field)
    return " ".join(body.get(field, []))


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_the_list_shows_every_deadline_soonest_first(today, client, legal, three):
    client.force_login(legal)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["id"] == three[0].pk
    assert first["kind"] == "licence_expiry" and first["status"] == "missed" and first["overdue"] is True
    assert first["owner"] == {"id": three[0].owner_id, "username": "officer"}
    assert first["application"] == three[0].application.reference
    assert first["subject"]["type"] == "cases.licenceapplication"
    assert first["due_on"] == (today - days(2)).isoformat()
    assert first["url"].endswith(f"/deadlines/{three[0].pk}/")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"due_before": days(10)}, [0]),
        ({"due_before": days(11)}, [0, 1]),
        ({"status": "open"}, [1, 2]),
        ({"status": "open,missed"}, [0, 1, 2]),
        ({"kind": "appeal"}, [1]),
        ({"kind": "appeal,resolution", "status": "open"}, [1, 2]),
        ({"owner": "me"}, [0, 2]),
    ],
)
def test_filters_narrow_the_list(client, officer, three, query, expected, today):
    client.force_login(officer)
    response = client.get(URL, dated(query, today, as_text=True))
    assert response.status_code == 200
    assert ids(response) == [three[i].pk for i in expected]


def test_owner_filters_by_user_id(client, auditor, officer2, three):
    client.force_login(auditor)
    assert ids(client.get(URL, {"owner": officer2.pk})) == [three[1].pk]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"due_before": "tomorrow"}, "due_before", "use YYYY-MM-DD"),
        ({"due_before": "2026-02-30"}, "due_before", "is not a date"),
        ({"status": "late"}, "status", "Unknown status 'late'"),
        ({"kind": "expiry"}, "kind", "Unknown kind 'expiry'"),
        ({"owner": "olivia"}, "owner", "not a user id"),
        ({"status": "open, met"}, "status", "Unknown status ' met'"),
        ({"kind": "appeal,"}, "kind", "Unknown kind ''"),
        ({"status": ""}, "status", "may not be blank"),
        ({"offset": "-1"}, "offset", "whole number"),
        ({"limit": "0"}, "limit", "greater than or equal to 1"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(client, officer, three, query, field, words):
    client.force_login(officer)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert words in messages_for(response, field)


def test_an_owner_id_that_names_nobody_is_unprocessable(client, officer, three):
    client.force_login(officer)
    response = client.get(URL, {"owner": "999999"})
    assert response.status_code == 422
    assert "no user with id 999999" in messages_for(response, "owner")


def test_the_schema_publishes_the_filters_the_list_reads(client, officer):
    client.force_login(officer)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"][URL]["get"]["parameters"]}
    assert parameters["status"]["pattern"] == "^(open|met|missed|cancelled)(,(open|met|missed|cancelled))*$"
    assert parameters["owner"]["pattern"] == "^(me|[0-9]+)$"
    assert parameters["due_before"]["format"] == "date"


def test_staff_without_a_role_cannot_list_deadlines(client, three):
    no_role = UserFactory(username="norole", role="", is_staff=True)
    client.force_login(no_role)
    assert client.get(URL).status_code == 403


def test_someone_outside_the_staff_cannot_list_deadlines(client, outsider, three):
    client.force_login(outsider)
    assert client.get(URL).status_code in (401, 403)


def test_an_anonymous_caller_cannot_list_deadlines(client, three):
    assert client.get(URL).status_code in (401, 403)


def test_the_list_is_read_only(client, admin_user, three):
    client.force_login(admin_user)
    assert client.post(URL, {}).status_code == 405
