"""The case papers through the REST API: the signed BIS-711, BIS's request for information and its answer, the
response to an intent to deny, and the application's own country in its reads."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from licensing.audit.models import Event
from licensing.cases.models import (
    ConsigneeStatement,
    InformationRequest,
    IntentToDenyResponse,
    LicenceApplication,
    SupportingDocument,
    SupportingDocumentKind,
)
from licensing.cases.services import applications, correspondence
from tests.ready_to_file import complete_application

from ..factories import transaction

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
A = LicenceApplication.Status


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def fields_of(response) -> set:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return {error["field"] for error in response.json()["errors"]}


@pytest.fixture
def draft(cases, letter_for_foreign_persons, officer):
    customer = cases.foreign_customer("DE")
    record = transaction(customer, cases.item)
    application = LicenceApplication.objects.get(transaction=record)
    return applications.update_application(
        actor=officer, application=application, signer_name="O. Officer", signer_title="Officer"
    )


@pytest.fixture
def registered(draft, officer, reviewer):
    application = applications.submit_application_for_review(actor=officer, application=complete_application(draft))
    application = applications.approve_for_filing(actor=reviewer, application=application)
    application = applications.record_submission(actor=officer, application=application, control_number="Z000303")
    return applications.record_registration(actor=officer, application=application)


def statement_body(today, **changes):
    body = {
        "signer_name": "Dr. Anna Becker",
        "signer_title": "Kanzlerin",
        "signed_on": (today - datetime.timedelta(days=2)).isoformat(),
        "document": SimpleUploadedFile("signed-711.pdf", PDF, content_type="application/pdf"),
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


# BIS-711


def test_an_officer_records_a_signed_bis711_through_the_api(officer, draft, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{draft.pk}/consignee-statements", statement_body(today), format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signer_name"] == "Dr. Anna Becker" and body["signer_title"] == "Kanzlerin"
    assert body["signed_on"] == (today - datetime.timedelta(days=2)).isoformat()
    assert body["consignee_country"] == "DE" and body["document"] == "signed-711.pdf"
    assert ConsigneeStatement.objects.get(application=draft).document.kind == SupportingDocumentKind.FORM_711
    read = signed_in(officer).get(f"/api/v1/applications/{draft.pk}").json()
    assert [s["signer_name"] for s in read["consignee_statements"]] == ["Dr. Anna Becker"]
    assert "application.consignee_statement_recorded" in [entry["event"] for entry in read["history"]]


def test_a_billing_token_may_not_record_a_bis711(billing, draft, today):
    response = billing.post(
        f"/api/v1/applications/{draft.pk}/consignee-statements", statement_body(today), format="multipart"
    )

    assert response.status_code == 403
    assert not ConsigneeStatement.objects.exists()


def test_an_auditor_may_not_record_a_bis711(auditor, draft, today):
    response = signed_in(auditor).post(
        f"/api/v1/applications/{draft.pk}/consignee-statements", statement_body(today), format="multipart"
    )

    assert response.status_code == 403
    assert not ConsigneeStatement.objects.exists()


def test_a_bis711_signed_in_the_future_is_refused_naming_the_date(officer, draft, today):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()

    response = signed_in(officer).post(
        f"/api/v1/applications/{draft.pk}/consignee-statements",
        statement_body(today, signed_on=tomorrow),
        format="multipart",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"signed_on"}
    assert not ConsigneeStatement.objects.exists() and not SupportingDocument.objects.exists()


def test_a_bis711_without_its_document_is_refused_naming_the_document(officer, draft, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{draft.pk}/consignee-statements",
        statement_body(today, document=None),
        format="multipart",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"document"}
    assert not ConsigneeStatement.objects.exists()


def test_a_bis711_sent_as_json_is_refused_as_the_wrong_body(officer, draft, today):
    body = statement_body(today, document=None)

    response = signed_in(officer).post(f"/api/v1/applications/{draft.pk}/consignee-statements", body, format="json")

    assert response.status_code == 415
    assert not ConsigneeStatement.objects.exists()


def test_a_bis711_for_an_unknown_application_is_not_found(officer, today):
    response = signed_in(officer).post(
        "/api/v1/applications/999999/consignee-statements", statement_body(today), format="multipart"
    )

    assert response.status_code == 404


# Requests for information


def test_an_officer_records_a_request_for_information_and_its_answer_through_the_api(officer, registered, today):
    client = signed_in(officer)
    due = today + datetime.timedelta(days=30)

    asked = client.post(
        f"/api/v1/applications/{registered.pk}/information-requests",
        {"questions": "Describe the end users.", "respond_by": due.isoformat()},
        format="json",
    )

    assert asked.status_code == 201, asked.content
    assert asked.json()["open"] is True and asked.json()["respond_by"] == due.isoformat()
    read = client.get(f"/api/v1/applications/{registered.pk}").json()
    assert read["status"] == A.INFORMATION_REQUESTED
    assert read["information_requests"][0]["questions"] == "Describe the end users."
    request_id = asked.json()["id"]

    answered = client.post(
        f"/api/v1/applications/{registered.pk}/information-requests/{request_id}/answer",
        {"answer": "A university's researchers only."},
        format="json",
    )

    assert answered.status_code == 200, answered.content
    assert answered.json()["open"] is False and answered.json()["answered_on"] == today.isoformat()
    assert LicenceApplication.objects.get(pk=registered.pk).status == A.REGISTERED


def test_a_request_for_information_asked_in_the_future_is_refused_naming_the_date(officer, registered, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{registered.pk}/information-requests",
        {
            "questions": "Anything?",
            "requested_on": (today + datetime.timedelta(days=1)).isoformat(),
            "respond_by": (today + datetime.timedelta(days=30)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"requested_on"}
    assert not InformationRequest.objects.exists()
    assert LicenceApplication.objects.get(pk=registered.pk).status == A.REGISTERED


def test_a_request_for_information_on_a_draft_is_a_conflict(officer, draft, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{draft.pk}/information-requests",
        {"questions": "Anything?", "respond_by": (today + datetime.timedelta(days=30)).isoformat()},
        format="json",
    )

    assert response.status_code == 409
    assert not InformationRequest.objects.exists()


def test_a_legal_adviser_may_not_record_a_request_for_information(legal, registered, today):
    response = signed_in(legal).post(
        f"/api/v1/applications/{registered.pk}/information-requests",
        {"questions": "Anything?", "respond_by": (today + datetime.timedelta(days=30)).isoformat()},
        format="json",
    )

    assert response.status_code == 403
    assert not InformationRequest.objects.exists()


def test_answering_a_request_that_is_no_longer_open_is_refused_naming_the_request(officer, registered, today):
    asked = correspondence.record_information_request(
        actor=officer, application=registered, questions="Who?", respond_by=today
    )
    correspondence.record_information_supplied(actor=officer, application=registered, answer="Them.")
    events = Event.objects.count()

    response = signed_in(officer).post(
        f"/api/v1/applications/{registered.pk}/information-requests/{asked.pk}/answer",
        {"answer": "Again."},
        format="json",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"request"}
    assert InformationRequest.objects.get(pk=asked.pk).answer == "Them."
    assert Event.objects.count() == events


def test_an_answer_supplied_in_the_future_is_refused_naming_the_date(officer, registered, today):
    asked = correspondence.record_information_request(
        actor=officer, application=registered, questions="Who?", respond_by=today
    )

    response = signed_in(officer).post(
        f"/api/v1/applications/{registered.pk}/information-requests/{asked.pk}/answer",
        {"supplied_on": (today + datetime.timedelta(days=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"supplied_on"}
    assert InformationRequest.objects.get(pk=asked.pk).is_open


def test_an_auditor_may_not_answer_a_request_for_information(auditor, officer, registered, today):
    asked = correspondence.record_information_request(
        actor=officer, application=registered, questions="Who?", respond_by=today
    )

    response = signed_in(auditor).post(
        f"/api/v1/applications/{registered.pk}/information-requests/{asked.pk}/answer", {}, format="json"
    )

    assert response.status_code == 403
    assert InformationRequest.objects.get(pk=asked.pk).is_open


# Intent to deny


@pytest.fixture
def intent_to_deny(registered, officer):
    return applications.record_bis_action(actor=officer, application=registered, action="record_intent_to_deny")


def test_an_officer_records_the_response_to_an_intent_to_deny_with_its_document(officer, intent_to_deny, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{intent_to_deny.pk}/intent-to-deny-response",
        {
            "responded_on": today.isoformat(),
            "text": "A civil university; see the letter.",
            "document": SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json()["document"] == "letter.pdf" and response.json()["notified_on"] == today.isoformat()
    assert LicenceApplication.objects.get(pk=intent_to_deny.pk).status == A.INTENT_TO_DENY_ANSWERED
    read = signed_in(officer).get(f"/api/v1/applications/{intent_to_deny.pk}").json()
    assert read["intent_to_deny_responses"][0]["text"] == "A civil university; see the letter."


def test_a_response_to_an_intent_to_deny_may_be_sent_as_json_without_a_document(officer, intent_to_deny, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{intent_to_deny.pk}/intent-to-deny-response",
        {"responded_on": today.isoformat(), "text": "Answered by letter of today."},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["document"] is None


def test_a_response_dated_in_the_future_is_refused_naming_the_date(officer, intent_to_deny, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{intent_to_deny.pk}/intent-to-deny-response",
        {"responded_on": (today + datetime.timedelta(days=1)).isoformat(), "text": "Later."},
        format="json",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"responded_on"}
    assert not IntentToDenyResponse.objects.exists()
    assert LicenceApplication.objects.get(pk=intent_to_deny.pk).status == A.INTENT_TO_DENY


def test_a_response_with_a_document_that_is_no_pdf_or_scan_is_refused_naming_the_document(
    officer, intent_to_deny, today
):
    response = signed_in(officer).post(
        f"/api/v1/applications/{intent_to_deny.pk}/intent-to-deny-response",
        {
            "responded_on": today.isoformat(),
            "text": "See the page.",
            "document": SimpleUploadedFile("letter.pdf", b"<html><script>x</script></html>", content_type="text/html"),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert fields_of(response) == {"document"}
    assert not IntentToDenyResponse.objects.exists()


def test_a_response_when_no_intent_to_deny_is_open_is_a_conflict(officer, registered, today):
    response = signed_in(officer).post(
        f"/api/v1/applications/{registered.pk}/intent-to-deny-response",
        {"responded_on": today.isoformat(), "text": "Unprompted."},
        format="json",
    )

    assert response.status_code == 409
    assert not IntentToDenyResponse.objects.exists()


def test_a_billing_token_may_not_respond_to_an_intent_to_deny(billing, intent_to_deny, today):
    response = billing.post(
        f"/api/v1/applications/{intent_to_deny.pk}/intent-to-deny-response",
        {"responded_on": today.isoformat(), "text": "Not billing's to say."},
        format="json",
    )

    assert response.status_code == 403
    assert not IntentToDenyResponse.objects.exists()


# The application's country


def test_the_application_reads_carry_its_country(read_only, draft):
    LicenceApplication.objects.filter(pk=draft.pk).update(country_id="DE")

    listed = read_only.get("/api/v1/applications").json()["results"]
    read = read_only.get(f"/api/v1/applications/{draft.pk}").json()

    assert [a["country"] for a in listed if a["id"] == draft.pk] == ["DE"]
    assert read["country"] == "DE"


def test_an_application_older_than_its_country_reads_null(read_only, draft):
    LicenceApplication.objects.filter(pk=draft.pk).update(country=None)

    assert read_only.get(f"/api/v1/applications/{draft.pk}").json()["country"] is None
