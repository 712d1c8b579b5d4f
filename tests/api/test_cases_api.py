"""Applications and licences: status, history, deadlines, filters."""

import datetime

from django.contrib.contenttypes.models import ContentType

from licensing.cases.models import LicenceApplication
from licensing.deadlines.models import Deadline, Kind

from ..factories import transaction


def test_an_application_reads_with_its_status_history(read_only, cases, letter_for_foreign_persons):
    record = transaction(cases.foreign_customer("DE"), cases.item, external_id="INV-1")
    application = LicenceApplication.objects.get(transaction=record)

    response = read_only.get(f"/api/v1/applications/{application.pk}")

    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == application.reference
    assert data["status"] == "draft"
    assert data["transaction"] == "INV-1"
    assert data["history"][0]["event"] == "application.created"
    assert isinstance(data["deadlines"], list)


def test_applications_filter_by_status_and_customer(read_only, cases, letter_for_foreign_persons):
    first = cases.foreign_customer("DE")
    transaction(first, cases.item, external_id="INV-1")
    second = cases.foreign_customer("FR")
    licensed = transaction(second, cases.item, external_id="INV-2")
    cases.licensed(licensed)

    approved = read_only.get("/api/v1/applications", {"status": "approved"}).json()
    of_first = read_only.get("/api/v1/applications", {"customer": first.external_id}).json()

    assert [a["transaction"] for a in approved["results"]] == ["INV-2"]
    assert [a["transaction"] for a in of_first["results"]] == ["INV-1"]


def test_a_licence_reads_with_its_limits_history_and_deadlines(read_only, cases, letter_covering_many):
    licence = cases.licence_for(cases.foreign_customer("DE"), quantity=10)

    data = read_only.get(f"/api/v1/licences/{licence.number}").json()

    assert data["status"] == "active"
    assert (data["authorised_quantity"], data["remaining_quantity"]) == ("10.00", "10.00")
    assert data["history"][0]["event"] == "licence.issued"
    assert isinstance(data["deadlines"], list)
    assert data["links"]["usage"] == f"/api/v1/licences/{licence.number}/usage"


def test_an_application_shows_the_clocks_running_on_it(read_only, cases, letter_for_foreign_persons):
    record = transaction(cases.foreign_customer("DE"), cases.item, external_id="INV-1")
    application = LicenceApplication.objects.get(transaction=record)
    Deadline.objects.create(
        kind=Kind.RESOLUTION,
        subject_type=ContentType.objects.get_for_model(application),
        subject_id=application.pk,
        subject_repr=str(application),
        application=application,
        starts_on=datetime.date(2026, 1, 5),
        due_on=datetime.date(2026, 4, 5),
    )

    data = read_only.get(f"/api/v1/applications/{application.pk}").json()

    assert [(d["kind"], d["due_on"], d["status"]) for d in data["deadlines"]] == [("resolution", "2026-04-05", "open")]


def test_licences_filter_by_status(read_only, reviewer, cases, letter_covering_many):
    from licensing.cases.services.licences import change_licence_status

    licence = cases.licence_for(cases.foreign_customer("DE"))
    change_licence_status(actor=reviewer, licence=licence, action="suspend", reason="Check")

    assert read_only.get("/api/v1/licences", {"status": "active"}).json()["count"] == 0
    assert read_only.get("/api/v1/licences", {"status": "suspended"}).json()["count"] == 1


def test_unknown_application_and_licence_are_404_problems(read_only, db):
    assert read_only.get("/api/v1/applications/999999").status_code == 404
    assert read_only.get("/api/v1/applications/not-a-number").status_code == 404
    assert read_only.get("/api/v1/licences/X-404").status_code == 404


def test_an_anonymous_caller_reads_nothing(anonymous, db):
    response = anonymous.get("/api/v1/licences")

    assert response.status_code == 401
