"""One check decides whether a role may take an action, for pages and endpoints alike, and refuses in the same words."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from licensing.accounts.permissions import Action, refusal, require


def test_a_role_the_table_allows_passes_the_check(legal):
    assert require(legal, Action.EXPORT_PACKAGES) is None


def test_a_role_the_table_does_not_allow_is_refused_naming_the_action(officer):
    with pytest.raises(PermissionDenied, match=r"^Your role may not build legal export packages\.$"):
        require(officer, Action.EXPORT_PACKAGES)


def test_an_inactive_user_is_refused_whatever_the_role(legal):
    legal.is_active = False

    with pytest.raises(PermissionDenied):
        require(legal, Action.EXPORT_PACKAGES)


def test_no_user_is_refused(db):
    with pytest.raises(PermissionDenied):
        require(None, Action.VIEW_CASES)


@pytest.mark.parametrize(
    ("persona", "page", "endpoint", "action"),
    [
        ("officer", ("get", "/filings/exports/"), ("get", "/api/v1/exports/1"), Action.DOWNLOAD_PACKAGES),
        (
            "auditor",
            ("post", "/filings/applications/1/generate"),
            ("post", "/api/v1/applications/1/filings"),
            Action.GENERATE_FILINGS,
        ),
        (
            "legal",
            ("post", "/screening/hits/1/adjudicate/"),
            ("post", "/api/v1/screening/hits/1/adjudication"),
            Action.ADJUDICATE_SCREENING_HITS,
        ),
    ],
)
def test_a_page_and_an_endpoint_refuse_a_role_without_the_action_in_the_same_words(
    request, client, persona, page, endpoint, action
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    api = APIClient()
    api.force_login(user)

    shown = getattr(client, page[0])(page[1])
    answered = getattr(api, endpoint[0])(endpoint[1], format="json")

    # Refused before the record is looked for: no such record is needed to be told no.
    assert shown.status_code == 403
    assert refusal(action) in shown.content.decode()
    assert answered.status_code == 403
    assert answered.json()["detail"] == refusal(action)


def test_a_role_without_the_action_is_refused_a_deadline_page_in_the_same_words(client, legal):
    client.force_login(legal)

    shown = client.post("/deadlines/1/settle")

    assert shown.status_code == 403
    assert refusal(Action.SETTLE_DEADLINE) in shown.content.decode()


def test_an_allowed_role_reaches_the_page_and_the_endpoint(client, legal):
    client.force_login(legal)
    api = APIClient()
    api.force_login(legal)

    assert client.get("/filings/exports/").status_code == 200
    assert api.get("/api/v1/deadlines").status_code == 200
