"""The bulk import endpoint and the restoration figures through the API."""

import json

import pytest

from licensing.parties.models import Customer
from licensing.restoration.models import ImportRun
from tests.api.conftest import client_with_token
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

RECORDS = [
    {
        "external_id": "B-1",
        "kind": "entity",
        "legal_name": "Acme Inc",
        "country_of_incorporation": "US",
        "headquarters_country": "US",
    },
    {"external_id": "B-2", "kind": "entity", "legal_name": "Rhein GmbH", "country_of_incorporation": "DE"},
]


@pytest.fixture
def billing(db):
    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token

    return client_with_token(issue_api_token(actor=None, name="billing-test", role=ClientRole.BILLING)[1])


def post(client, kind, body, *, dry_run=None, content_type="application/json"):
    url = f"/api/v1/restoration/imports/{kind}" + (f"?dry_run={str(dry_run).lower()}" if dry_run is not None else "")
    return client.post(url, data=body if isinstance(body, str | bytes) else json.dumps(body), content_type=content_type)


def test_a_dry_run_answers_200_and_writes_nothing(billing):
    response = post(billing, "customers", RECORDS, dry_run=True)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "checked"
    assert response.json()["report"]["rows"] == 2
    assert not Customer.objects.exists()


def test_an_import_is_queued_run_and_triaged(billing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(billing, "customers", RECORDS)
    assert response.status_code == 202, response.content
    run_url = response["Location"]
    assert run_url.endswith(f"/api/v1/restoration/imports/{response.json()['id']}")
    progress = billing.get(run_url).json()
    assert (progress["status"], progress["done"], progress["percent"], progress["triaged"]) == ("done", 2, 100, 2)
    assert Customer.objects.count() == 2


def test_ndjson_is_read_one_record_per_line(billing):
    body = "\n".join(json.dumps(r) for r in RECORDS) + "\n"
    response = post(billing, "customers", body, dry_run=True, content_type="application/x-ndjson")
    assert response.status_code == 200, response.content
    assert response.json()["report"]["rows"] == 2


def test_bad_records_answer_422_naming_each_line_and_field(billing):
    bad = [
        *RECORDS,
        {"external_id": "B-3", "kind": "company", "legal_name": "", "country_of_incorporation": "ZZ"},
        {**RECORDS[0], "legal_name": "Acme again"},
    ]
    response = post(billing, "customers", bad)
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert {(p["line"], p["column"]) for p in body["problems"]} == {
        (4, "external_id"),
        (3, "kind"),
        (3, "legal_name"),
        (3, "country_of_incorporation"),
    }
    country = next(p for p in body["problems"] if p["column"] == "country_of_incorporation")
    assert {"field": "3.country_of_incorporation", "message": country["problem"]} in body["errors"]
    assert ImportRun.objects.get(pk=body["import_run"]).status == ImportRun.Status.REFUSED
    assert not Customer.objects.exists()


def test_unknown_fields_answer_422(billing):
    response = post(billing, "customers", [{**RECORDS[0], "colour": "red"}])
    assert response.status_code == 422
    assert response.json()["problems"][0]["column"] == "colour"


def test_seats_of_an_unknown_customer_answer_422(billing):
    seat = {
        "customer_external_id": "NOPE",
        "external_id": "U-1",
        "given_name": "A",
        "family_name": "B",
        "location_country": "US",
    }
    response = post(billing, "seats", [seat])
    assert response.status_code == 422
    assert response.json()["problems"][0]["column"] == "customer_external_id"


def test_a_body_that_is_not_an_array_is_400(billing):
    assert post(billing, "customers", {"external_id": "B-1"}).status_code == 400
    assert post(billing, "customers", "[{", content_type="application/json").status_code == 400
    assert post(billing, "customers", "{}\n{oops\n", content_type="application/x-ndjson").status_code == 400


def test_a_body_over_the_limit_is_413(billing, settings):
    settings.API_MAX_BULK_BYTES = 1024
    response = post(billing, "customers", [RECORDS[0]] * 50)
    assert response.status_code == 413


def test_a_csv_body_is_415(billing):
    assert post(billing, "customers", "external_id\nB-1\n", content_type="text/csv").status_code == 415


def test_an_unknown_kind_is_404(billing):
    assert post(billing, "planets", RECORDS).status_code == 404


def test_a_read_only_token_cannot_import(db):
    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token

    reader = client_with_token(issue_api_token(actor=None, name="reader", role=ClientRole.READ_ONLY)[1])
    assert post(reader, "customers", RECORDS).status_code == 403


def test_the_figures_count_subjects_per_bucket(billing, django_capture_on_commit_callbacks):
    CustomerFactory(country_of_incorporation_id="IR")
    with django_capture_on_commit_callbacks(execute=True):
        post(billing, "customers", RECORDS)
    figures = billing.get("/api/v1/restoration/figures?days=3").json()
    assert figures["buckets"]["restorable"] == 1
    assert figures["buckets"]["licence_required"] == 1
    assert len(figures["over_time"]) == 3
    assert figures["over_time"][-1]["counts"] == figures["buckets"]
    assert figures["held"] == 2
    assert figures["intake_to_restored"] == {"restored": 0, "median_hours": None, "p90_hours": None}


def test_the_figures_refuse_a_bad_day_count(billing):
    assert billing.get("/api/v1/restoration/figures?days=0").status_code in (400, 422)


def test_a_year_of_figures_is_answered(billing):
    response = billing.get("/api/v1/restoration/figures?days=366")
    assert response.status_code == 200
    assert len(response.json()["over_time"]) == 366


def test_an_import_that_does_not_exist_is_404(billing):
    assert billing.get("/api/v1/restoration/imports/999999").status_code == 404
    assert billing.get("/api/v1/restoration/imports/-7").status_code == 404
