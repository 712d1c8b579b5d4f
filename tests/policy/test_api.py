"""The rule changes through the API: read-only, for any client that may query."""

import pytest

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from tests.api.conftest import client_with_token

from .test_rule_changes import relax_a1, simulated


@pytest.fixture
def reader(db):
    return client_with_token(issue_api_token(actor=None, name="reporting", role=ClientRole.READ_ONLY)[1])


def test_a_client_reads_a_change_with_its_simulation(
    reader, admin_user, letter_for_foreign_persons, cases, django_capture_on_commit_callbacks
):
    cases.foreign_customer("DE")
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)

    listed = reader.get("/api/v1/rule-changes")
    read = reader.get(f"/api/v1/rule-changes/{change.pk}")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [change.pk]
    body = read.json()
    assert (body["kind"], body["status"], body["country_group"]) == ("relax_country_group", "simulated", "A:1")
    assert body["simulation"]["totals"]["released"] == 1
    assert body["simulation"]["by_country"]["DE"]["released"] == 1


def test_an_unknown_change_is_a_404_naming_it(reader):
    response = reader.get("/api/v1/rule-changes/999999")

    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


def test_without_a_token_nothing_is_read(client, db):
    assert client.get("/api/v1/rule-changes").status_code in (401, 403)
