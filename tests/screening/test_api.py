"""The screening endpoints: ad hoc search, a subject's results, the hits queue and adjudication."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.cases.models import ApplicationParty, LicenceApplication
from licensing.screening.models import Hit
from licensing.screening.services.screening import screen_subject

from ..factories import (
    CustomerFactory,
    ItemFactory,
    PersonFactory,
    UserFactory,
    approved_determination,
    letter,
    transaction,
)
from .conftest import DENIED_COMPANY, ENTITY_LISTED

SEARCH = "/api/v1/screening/search"


@pytest.fixture
def api(client):
    def signed_in(user):
        client.force_login(user)
        return client

    return signed_in


def test_search_returns_the_listed_party_first_with_its_details(listed, officer, api):
    response = api(officer).get(SEARCH, {"name": "Shenzhen Guoweichip Technology Company", "limit": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    first = body["results"][0]
    assert first["name"] == ENTITY_LISTED
    assert first["source"] == "Entity List (EL) - Bureau of Industry and Security"
    assert first["list"] == "EL"
    assert first["type"] == ""
    assert first["list_version"]["id"] == listed.pk
    assert first["list_version"]["published_on"] == "2026-07-31"
    assert 0.8 <= first["score"] <= 1
    assert first["reasons"] and first["matched_name"]
    assert "Presumption of denial" in first["license_policy"]
    assert len(body["results"]) <= 3
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_takes_type_and_country(listed, officer, api):
    response = api(officer).get(SEARCH, {"name": "Ryong Nam Rim", "type": "individual", "country": "kp"})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert (first["name"], first["entity_number"], first["type"]) == ("RIM, Ryong Nam", "52291", "individual")
    assert any("country KP is on the entry" in r for r in first["reasons"])


def test_search_for_an_unlisted_name_returns_no_results(listed, officer, api):
    response = api(officer).get(SEARCH, {"name": "Universität Rheinland"})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({}, "name", 400),
        ({"name": "   "}, "name", 400),
        ({"name": "x" * 301}, "name", 400),
        ({"name": "Rosneft", "limit": "0"}, "limit", 400),
        ({"name": "Rosneft", "limit": "lots"}, "limit", 400),
        ({"name": "Rosneft", "type": "company"}, "type", 400),
        ({"name": "Rosneft", "country": "Russia"}, "country", 400),
        # Well formed, but no such country: unprocessable, as everywhere in the API.
        ({"name": "Rosneft", "country": "QQ"}, "country", 422),
        ({"name": "Rosneft", "fuzzy": "yes"}, "fuzzy", 400),
        ({"name": "Rosneft", "threshold": "0.3"}, "threshold", 400),
        ({"name": "Rosneft", "threshold": "1.5"}, "threshold", 400),
        ({"name": "Rosneft", "threshold": "close"}, "threshold", 400),
    ],
)
def test_search_refuses_bad_input_naming_the_field(listed, officer, api, params, field, status):
    response = api(officer).get(SEARCH, params)
    assert response.status_code == status, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_search_applies_the_callers_threshold_and_says_which_it_applied(listed, officer, api):
    name = "Shenzhen Guoweichip Technology Company"
    default = api(officer).get(SEARCH, {"name": name}).json()
    assert default["threshold"] == 0.8
    score = default["results"][0]["score"]
    assert score < 1.0
    stricter = api(officer).get(SEARCH, {"name": name, "threshold": "1.0"}).json()
    assert stricter["threshold"] == 1.0
    assert stricter["results"] == []
    looser = api(officer).get(SEARCH, {"name": name, "threshold": "0.5"}).json()
    assert looser["threshold"] == 0.5
    assert all(r["score"] >= 0.5 for r in looser["results"])
    assert len(looser["results"]) >= len(default["results"])


@override_settings(SCREENING_MATCH_THRESHOLD=0.95)
def test_search_without_a_threshold_applies_the_products_default(listed, officer, api):
    body = api(officer).get(SEARCH, {"name": "Shenzhen Guoweichip Technology Company"}).json()
    assert body["threshold"] == 0.95
    assert all(r["score"] >= 0.95 for r in body["results"])


def _token_client(role):
    _, raw = issue_api_token(actor=None, name=f"search-{role}", role=role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("role", [ClientRole.BILLING, ClientRole.SCREENING])
def test_a_billing_or_screening_token_screens_a_name(listed, role):
    response = _token_client(role).get(SEARCH, {"name": DENIED_COMPANY})
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["name"] == DENIED_COMPANY


def test_a_read_only_token_may_not_screen(listed):
    assert _token_client(ClientRole.READ_ONLY).get(SEARCH, {"name": DENIED_COMPANY}).status_code == 403


def test_a_screening_token_only_screens(listed):
    client = _token_client(ClientRole.SCREENING)
    customer = CustomerFactory(legal_name="Antasena Kreasi", external_id="CUST-SCR-1", country_of_incorporation_id="ID")
    screen_subject(customer)
    assert client.get("/api/v1/customers/CUST-SCR-1").status_code == 403
    assert client.get("/api/v1/customers/CUST-SCR-1/screening").status_code == 403
    assert client.get("/api/v1/access-check", {"customer": "CUST-SCR-1"}).status_code == 403


@pytest.mark.parametrize("role", [ClientRole.BILLING, ClientRole.SCREENING])
def test_no_token_adjudicates_a_hit(hit, role):
    response = _token_client(role).post(
        f"/api/v1/screening/hits/{hit.pk}/adjudication",
        {"outcome": "false_positive", "reason": "Other company"},
        format="json",
    )
    assert response.status_code == 403
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN


def test_search_with_no_list_in_force_says_so_instead_of_returning_nothing(db, officer, api):
    response = api(officer).get(SEARCH, {"name": DENIED_COMPANY})
    assert response.status_code == 503
    assert "No restricted-party list is in force" in response.content.decode()


def test_search_needs_a_role(listed, outsider, api, client):
    assert api(outsider).get(SEARCH, {"name": DENIED_COMPANY}).status_code in (401, 403)
    client.logout()
    assert client.get(SEARCH, {"name": DENIED_COMPANY}).status_code in (401, 403)


def test_a_customers_results_are_under_the_customer(listed, legal, api):
    customer = CustomerFactory(legal_name="Antasena Kreasi", external_id="CUST-ID-1", country_of_incorporation_id="ID")
    screen_subject(customer)
    response = api(legal).get("/api/v1/customers/CUST-ID-1/screening")
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == {
        "kind": "customer",
        "id": customer.pk,
        "name": "Antasena Kreasi",
        "external_id": "CUST-ID-1",
    }
    assert body["list_versions"] == [listed.pk]
    (hit,) = body["hits"]
    assert (hit["status"], hit["entry"]["name"], hit["entry"]["list"]) == ("open", DENIED_COMPANY, "DPL")
    assert hit["list_version"]["id"] == listed.pk


def test_a_persons_results_are_under_the_person(listed, officer, api):
    person = PersonFactory(external_id="P-9", given_name="Pejman", family_name="Kosarayanifard")
    screen_subject(person)
    response = api(officer).get(f"/api/v1/customers/{person.customer.external_id}/persons/P-9/screening")
    assert response.status_code == 200
    assert response.json()["hits"][0]["entry"]["name"] == "PEJMAN MAHMOOD KOSARAYANIFARD"


def test_a_subject_never_screened_has_no_results_yet(listed, officer, api):
    CustomerFactory(external_id="CUST-NEW")
    body = api(officer).get("/api/v1/customers/CUST-NEW/screening").json()
    assert (body["screened_at"], body["hits"]) == (None, [])


def test_an_unknown_customer_is_404(listed, officer, api):
    assert api(officer).get("/api/v1/customers/NOPE/screening").status_code == 404


@pytest.fixture
def hit(listed):
    customer = CustomerFactory(legal_name="Antasena Kreasi", country_of_incorporation_id="ID")
    screen_subject(customer)
    return Hit.objects.get(customer=customer)


def test_the_hits_queue_lists_hits_awaiting_adjudication(hit, auditor, api):
    body = api(auditor).get("/api/v1/screening/hits").json()
    assert [h["id"] for h in body["results"]] == [hit.pk]
    assert body["results"][0]["subject"]["kind"] == "customer"
    assert api(auditor).get("/api/v1/screening/hits", {"status": "cleared"}).json()["results"] == []
    assert api(auditor).get("/api/v1/screening/hits", {"status": "gone"}).status_code == 400


def test_an_officer_adjudicates_a_hit_through_the_api(hit, officer, officer2, api, client):
    url = f"/api/v1/screening/hits/{hit.pk}/adjudication"
    response = api(officer).post(
        url, {"outcome": "false_positive", "reason": "Other company"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "clearing"
    again = client.post(url, {"outcome": "clear"}, content_type="application/json")
    assert again.status_code == 403
    assert "second person" in again.content.decode()
    cleared = api(officer2).post(url, {"outcome": "clear"}, content_type="application/json")
    assert cleared.json()["status"] == "cleared"
    assert cleared.json()["adjudicated_by"] == "officer2"


def test_adjudication_is_refused_to_legal_staff(hit, legal, api):
    response = api(legal).post(
        f"/api/v1/screening/hits/{hit.pk}/adjudication",
        {"outcome": "true_match", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"outcome": "true_match"}, 400, "reason"),
        ({"outcome": "perhaps", "reason": "x"}, 400, "outcome"),
        ({"outcome": "true_match", "reason": "x", "extra": 1}, 400, "extra"),
        ({"outcome": "clear"}, 409, "cannot clear"),
    ],
)
def test_bad_adjudications_are_refused_with_the_reason(hit, officer, api, body, status, field):
    response = api(officer).post(f"/api/v1/screening/hits/{hit.pk}/adjudication", body, content_type="application/json")
    assert response.status_code == status, response.content
    assert field in response.content.decode()


def test_an_applications_parties_have_their_results_under_the_application(listed, officer, api):
    item = ItemFactory()
    letter(item)
    customer = CustomerFactory(legal_name="Rheinland Robotics GmbH")
    screen_subject(customer)
    approved_determination(
        customer, preparer=officer, reviewer=UserFactory(role="reviewer"), effective_on=listed.published_on
    )
    application = LicenceApplication.objects.get(transaction=transaction(customer, item))
    party = ApplicationParty.objects.create(
        application=application, role=ApplicationParty.Role.INTERMEDIATE_CONSIGNEE, name=DENIED_COMPANY, country_id="ID"
    )
    screen_subject(party)
    body = api(officer).get(f"/api/v1/applications/{application.pk}/screening").json()
    screened = {p["subject"]["name"]: p for p in body["parties"]}
    assert screened[DENIED_COMPANY]["hits"][0]["entry"]["list"] == "DPL"
    assert screened[DENIED_COMPANY]["subject"]["role"] == "intermediate_consignee"
    assert api(officer).get("/api/v1/applications/999999/screening").status_code == 404
