"""Customers and persons by billing's identifiers: idempotent PUTs, reads, lists."""

from django.core.management import call_command
from rest_framework.test import APIClient

from licensing.api.models import ApiToken
from licensing.audit.models import Event
from licensing.parties.models import Customer, Person, StatusRecord
from licensing.parties.services import set_customer_status

from ..factories import CustomerFactory

ACME = {
    "kind": "entity",
    "legal_name": "Acme Analytics GmbH",
    "aliases": ["Acme"],
    "country_of_incorporation": "DE",
    "headquarters_country": "DE",
}
ADA = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "location_country": "US",
    "citizenships": [{"country": "GB", "acquired_on": "1990-05-01"}],
    "residencies": [{"country": "US", "acquired_on": "2020-01-15"}],
}


def test_put_creates_a_customer_then_updates_it(billing, db):
    created = billing.put("/api/v1/customers/C-1", ACME, format="json")
    updated = billing.put("/api/v1/customers/C-1", {**ACME, "legal_name": "Acme Analytics AG"}, format="json")

    assert (created.status_code, updated.status_code) == (201, 200)
    assert updated.json()["legal_name"] == "Acme Analytics AG"
    assert updated.json()["status"] == Customer.Status.ACTIVE
    assert Customer.objects.filter(external_id="C-1").count() == 1


def test_repeating_the_same_put_changes_nothing(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    events = Event.objects.count()

    response = billing.put("/api/v1/customers/C-1", ACME, format="json")

    assert response.status_code == 200
    assert Event.objects.count() == events


def test_a_put_with_a_token_is_recorded_in_the_event_log_as_that_tokens_change(billing, db, capsys):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    billing.put("/api/v1/customers/C-1", {**ACME, "legal_name": "Acme Analytics AG"}, format="json")

    token = ApiToken.objects.get(name="billing-test")
    events = Event.objects.filter(verb__in=["customer.created", "customer.updated"])
    assert [(e.actor_label, e.api_token, e.actor) for e in events] == [("api:billing-test", token, None)] * 2
    call_command("verify_audit")
    assert "events verified" in capsys.readouterr().out


def test_a_put_by_a_member_of_staff_names_them_and_no_token(officer):
    client = APIClient()
    client.force_login(officer)

    client.put("/api/v1/customers/C-1", ACME, format="json")

    event = Event.objects.get(verb="customer.created")
    assert (event.actor, event.actor_label, event.api_token) == (officer, officer.get_username(), None)


def test_work_done_after_a_token_request_is_not_put_down_to_the_token(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")

    set_customer_status(
        actor=None, customer=Customer.objects.get(external_id="C-1"), status=Customer.Status.ON_HOLD, reason="Screening"
    )

    event = Event.objects.get(verb="customer.status_changed")
    assert (event.actor_label, event.api_token) == ("system", None)


def test_the_status_is_compliances_and_cannot_be_written(billing, db):
    response = billing.put("/api/v1/customers/C-1", {**ACME, "status": "active"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "status", "message": "This field is not known."}]
    assert not Customer.objects.exists()


def test_an_unknown_country_is_refused_naming_the_field(billing, db):
    response = billing.put("/api/v1/customers/C-1", {**ACME, "country_of_incorporation": "QQ"}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "country_of_incorporation", "message": "QQ is not a known country code."}
    ]


def test_a_malformed_identifier_is_refused_naming_it(billing, db):
    response = billing.put("/api/v1/customers/has space", ACME, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "external_id"


def test_customers_list_filters_and_pages(read_only, db):
    CustomerFactory(external_id="A-1", legal_name="Alpha", status=Customer.Status.ON_HOLD)
    CustomerFactory(external_id="B-1", legal_name="Beta")
    CustomerFactory(external_id="C-1", legal_name="Gamma")

    held = read_only.get("/api/v1/customers", {"status": "on_hold"}).json()
    paged = read_only.get("/api/v1/customers", {"page_size": 2}).json()

    assert [c["external_id"] for c in held["results"]] == ["A-1"]
    assert paged["count"] == 3
    assert [c["external_id"] for c in paged["results"]] == ["A-1", "B-1"]
    assert paged["next"].endswith("page=2&page_size=2")


def test_a_bad_filter_is_refused_naming_it(read_only, db):
    response = read_only.get("/api/v1/customers", {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "updated_since"


def test_a_read_only_token_reads_but_cannot_write(read_only, db):
    CustomerFactory(external_id="C-9")

    assert read_only.get("/api/v1/customers/C-9").status_code == 200
    assert read_only.put("/api/v1/customers/C-9", ACME, format="json").status_code == 403


def test_put_person_records_citizenships_and_residencies(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")

    response = billing.put("/api/v1/customers/C-1/persons/U-1", ADA, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["citizenships"] == [{"country": "GB", "acquired_on": "1990-05-01", "ended_on": None}]
    assert data["residencies"] == [{"country": "US", "acquired_on": "2020-01-15", "ended_on": None}]
    person = Person.objects.get(external_id="U-1")
    assert person.customer.external_id == "C-1"
    assert person.status_records.count() == 2


def test_replaying_a_person_put_adds_no_history(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    billing.put("/api/v1/customers/C-1/persons/U-1", ADA, format="json")

    response = billing.put("/api/v1/customers/C-1/persons/U-1", ADA, format="json")

    assert response.status_code == 200
    assert StatusRecord.objects.count() == 2


def test_a_period_is_ended_by_sending_its_end_date(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    billing.put("/api/v1/customers/C-1/persons/U-1", ADA, format="json")
    ended = {**ADA, "residencies": [{"country": "US", "acquired_on": "2020-01-15", "ended_on": "2024-02-01"}]}

    response = billing.put("/api/v1/customers/C-1/persons/U-1", ended, format="json")

    assert response.json()["residencies"][0]["ended_on"] == "2024-02-01"


def test_a_recorded_end_date_cannot_be_changed(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    first = {**ADA, "residencies": [{"country": "US", "acquired_on": "2020-01-15", "ended_on": "2024-02-01"}]}
    billing.put("/api/v1/customers/C-1/persons/U-1", first, format="json")
    moved = {**ADA, "residencies": [{"country": "US", "acquired_on": "2020-01-15", "ended_on": "2025-02-01"}]}

    response = billing.put("/api/v1/customers/C-1/persons/U-1", moved, format="json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "residencies.0.ended_on"
    assert StatusRecord.objects.get(kind="permanent_residency").ended_on.isoformat() == "2024-02-01"


def test_a_nested_error_names_the_nested_field(billing, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    bad = {**ADA, "citizenships": [{"country": "GB", "acquired_on": "not a date"}]}

    response = billing.put("/api/v1/customers/C-1/persons/U-1", bad, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "citizenships.0.acquired_on"
    assert not Person.objects.exists()


def test_a_person_of_an_unknown_customer_is_a_404(billing, db):
    response = billing.put("/api/v1/customers/NOPE/persons/U-1", ADA, format="json")

    assert response.status_code == 404


def test_persons_are_listed_under_their_customer(billing, read_only, db):
    billing.put("/api/v1/customers/C-1", ACME, format="json")
    billing.put("/api/v1/customers/C-1/persons/U-1", ADA, format="json")

    response = read_only.get("/api/v1/customers/C-1/persons")

    assert [p["external_id"] for p in response.json()["results"]] == ["U-1"]
