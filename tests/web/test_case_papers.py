"""The case papers through the officers' pages: the signed BIS-711, BIS's request for information and its answer,
the response to an intent to deny, and the application's own country."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licensing.audit.models import Event
from licensing.cases.models import (
    ConsigneeStatement,
    InformationRequest,
    IntentToDenyResponse,
    LicenceApplication,
    SupportingDocument,
)
from licensing.cases.services import applications, correspondence
from licensing.deadlines.models import Deadline, Kind

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
A = LicenceApplication.Status


def pdf(name="bis711-signed.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def registered(case, officer, reviewer):
    """The German university's application, filed and registered by BIS."""
    application = applications.approve_for_filing(actor=reviewer, application=case["application"])
    application = applications.record_submission(actor=officer, application=application, control_number="Z000202")
    return applications.record_registration(actor=officer, application=application)


def _statement_post(today, **changes):
    data = {
        "bis711-signer_name": "Dr. Anna Becker",
        "bis711-signer_title": "Kanzlerin",
        "bis711-signed_on": (today - datetime.timedelta(days=3)).isoformat(),
        "bis711-document": pdf(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# BIS-711


def test_an_officer_records_a_signed_bis711_from_the_case_page(
    client, officer, case, today, django_capture_on_commit_callbacks
):
    application = case["application"]
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_consignee_statement_add", args=[application.pk]), _statement_post(today)
        )

    assert response.status_code == 302
    statement = ConsigneeStatement.objects.get(application=application)
    assert (statement.signer_name, statement.signer_title) == ("Dr. Anna Becker", "Kanzlerin")
    assert statement.signed_on == today - datetime.timedelta(days=3)
    assert statement.consignee_name and statement.consignee_country_id == "DE"
    assert statement.document.original_name == "bis711-signed.pdf"
    assert Event.objects.filter(verb="application.consignee_statement_recorded").count() == 1
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert "Dr. Anna Becker, Kanzlerin" in page
    assert "Consignee statement recorded" in page
    assert "BIS-711: first application filed within 1 year" in page


def test_an_auditor_may_not_record_a_bis711(client, auditor, case, today):
    application = case["application"]
    client.force_login(auditor)

    response = client.post(
        reverse("application_consignee_statement_add", args=[application.pk]), _statement_post(today)
    )

    assert response.status_code == 403
    assert not ConsigneeStatement.objects.exists()
    assert (
        "Record a signed BIS-711"
        not in client.get(reverse("application_detail", args=[application.pk])).content.decode()
    )


def test_a_bis711_signed_in_the_future_is_refused_naming_the_date(client, officer, case, today):
    application = case["application"]
    client.force_login(officer)
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("application_consignee_statement_add", args=[application.pk]),
        _statement_post(today, **{"bis711-signed_on": tomorrow}),
    )

    assert response.status_code == 400
    assert "Signed on: The statement cannot have been signed after today" in response.content.decode()
    assert not ConsigneeStatement.objects.exists() and not SupportingDocument.objects.exists()


def test_a_bis711_without_its_signed_pdf_is_refused_naming_the_document(client, officer, case, today):
    application = case["application"]
    client.force_login(officer)

    response = client.post(
        reverse("application_consignee_statement_add", args=[application.pk]),
        _statement_post(today, **{"bis711-document": None}),
    )

    assert response.status_code == 400
    assert "The signed statement: This field is required." in response.content.decode()
    assert not ConsigneeStatement.objects.exists()


def test_a_bis711_that_is_not_a_pdf_is_refused_and_nothing_is_stored(client, officer, case, today):
    application = case["application"]
    client.force_login(officer)
    png = SimpleUploadedFile("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="application/pdf")

    response = client.post(
        reverse("application_consignee_statement_add", args=[application.pk]),
        _statement_post(today, **{"bis711-document": png}),
    )

    assert response.status_code == 400
    assert "The signed statement: The signed statement must be a PDF." in response.content.decode()
    assert not ConsigneeStatement.objects.exists() and not SupportingDocument.objects.exists()


# Requests for information


def test_the_request_for_information_button_leads_to_its_form_and_the_case_shows_the_clock_stopped(
    client, officer, registered, today, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("application_detail", args=[registered.pk])).content.decode()
    assert 'name="record_information_request-questions"' in page
    due = today + datetime.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_transition", args=[registered.pk, "record_information_request"]),
            {
                "record_information_request-questions": "Describe the end users' compute clusters.",
                "record_information_request-respond_by": due.isoformat(),
            },
        )

    assert response.status_code == 302
    request = InformationRequest.objects.get(application=registered)
    assert (request.requested_on, request.respond_by, request.is_open) == (today, due, True)
    assert LicenceApplication.objects.get(pk=registered.pk).status == A.INFORMATION_REQUESTED
    page = client.get(reverse("application_detail", args=[registered.pk])).content.decode()
    assert "Describe the end users&#x27; compute clusters." in page
    assert f"answer due by {due:%-d %b %Y}" in page
    assert f"clock is stopped since {today:%-d %b %Y}" in page
    resolution = Deadline.objects.get(application=registered, kind=Kind.RESOLUTION)
    assert resolution.paused_since == today
    assert f"Stopped since {today:%-d %b %Y}" in page
    # The answer is asked for beside it, as its own form.
    assert 'name="record_information_supplied-answer"' in page


def test_a_request_for_information_without_a_due_date_names_the_field(client, officer, registered):
    client.force_login(officer)

    response = client.post(
        reverse("application_transition", args=[registered.pk, "record_information_request"]),
        {"record_information_request-questions": "Anything?"},
    )

    assert response.status_code == 400
    assert "Answer due by: This field is required." in response.content.decode()
    assert not InformationRequest.objects.exists()
    assert LicenceApplication.objects.get(pk=registered.pk).status == A.REGISTERED


def test_a_request_for_information_asked_in_the_future_is_refused_naming_the_date(client, officer, registered, today):
    client.force_login(officer)

    response = client.post(
        reverse("application_transition", args=[registered.pk, "record_information_request"]),
        {
            "record_information_request-questions": "Anything?",
            "record_information_request-requested_on": (today + datetime.timedelta(days=2)).isoformat(),
            "record_information_request-respond_by": (today + datetime.timedelta(days=20)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert "Asked on: BIS cannot have asked after today" in response.content.decode()
    assert not InformationRequest.objects.exists()
    assert LicenceApplication.objects.get(pk=registered.pk).status == A.REGISTERED


def test_a_legal_adviser_may_not_record_a_request_for_information(client, legal, registered, today):
    client.force_login(legal)

    response = client.post(
        reverse("application_transition", args=[registered.pk, "record_information_request"]),
        {
            "record_information_request-questions": "Anything?",
            "record_information_request-respond_by": (today + datetime.timedelta(days=20)).isoformat(),
        },
    )

    assert response.status_code == 403
    assert not InformationRequest.objects.exists()


def test_an_officer_records_the_answer_and_the_case_shows_it(client, officer, registered, today):
    correspondence.record_information_request(
        actor=officer, application=registered, questions="Who else uses it?", respond_by=today
    )
    client.force_login(officer)

    response = client.post(
        reverse("application_transition", args=[registered.pk, "record_information_supplied"]),
        {"record_information_supplied-answer": "Only the university's own researchers."},
    )

    assert response.status_code == 302
    request = InformationRequest.objects.get(application=registered)
    assert (request.answered_on, request.answer) == (today, "Only the university's own researchers.")
    page = client.get(reverse("application_detail", args=[registered.pk])).content.decode()
    assert f"Answered {today:%-d %b %Y}" in page and "Only the university&#x27;s own researchers." in page
    assert "clock is stopped" not in page


def test_answering_when_no_request_is_open_is_refused(client, officer, registered):
    client.force_login(officer)

    response = client.post(
        reverse("application_transition", args=[registered.pk, "record_information_supplied"]),
        {"record_information_supplied-answer": "Unasked."},
    )

    # The move is not open from "registered": refused, and nothing written.
    assert response.status_code in (400, 409)
    assert not InformationRequest.objects.exists()
    assert LicenceApplication.objects.get(pk=registered.pk).status == A.REGISTERED


def test_the_answer_cannot_be_supplied_in_the_future(client, officer, registered, today):
    correspondence.record_information_request(
        actor=officer, application=registered, questions="Who else uses it?", respond_by=today
    )
    client.force_login(officer)

    response = client.post(
        reverse("application_transition", args=[registered.pk, "record_information_supplied"]),
        {"record_information_supplied-supplied_on": (today + datetime.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 400
    assert "Supplied on: The information cannot have been supplied after today" in response.content.decode()
    assert InformationRequest.objects.get(application=registered).is_open


# Intent to deny


@pytest.fixture
def intent_to_deny(registered, officer):
    return applications.record_bis_action(actor=officer, application=registered, action="record_intent_to_deny")


def test_an_officer_records_the_response_to_an_intent_to_deny_with_its_document(
    client, officer, intent_to_deny, today, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("application_detail", args=[intent_to_deny.pk])).content.decode()
    assert "Record the response to the intent to deny" in page
    assert 'enctype="multipart/form-data"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_intent_to_deny_response", args=[intent_to_deny.pk]),
            {
                "response-responded_on": today.isoformat(),
                "response-text": "The end user is a civil university; see the enclosed letter.",
                "response-document": pdf("letter.pdf"),
            },
        )

    assert response.status_code == 302
    recorded = IntentToDenyResponse.objects.get(application=intent_to_deny)
    assert (recorded.responded_on, recorded.notified_on, recorded.original_name) == (today, today, "letter.pdf")
    assert LicenceApplication.objects.get(pk=intent_to_deny.pk).status == A.INTENT_TO_DENY_ANSWERED
    clock = Deadline.objects.get(application=intent_to_deny, kind=Kind.INTENT_TO_DENY_RESPONSE)
    assert clock.status == Deadline.Status.MET
    page = client.get(reverse("application_detail", args=[intent_to_deny.pk])).content.decode()
    assert "The end user is a civil university" in page and "document: letter.pdf" in page


def test_a_response_dated_in_the_future_is_refused_naming_the_date(client, officer, intent_to_deny, today):
    client.force_login(officer)

    response = client.post(
        reverse("application_intent_to_deny_response", args=[intent_to_deny.pk]),
        {"response-responded_on": (today + datetime.timedelta(days=1)).isoformat(), "response-text": "Later."},
    )

    assert response.status_code == 400
    assert "Responded on: The response cannot have been sent after today" in response.content.decode()
    assert not IntentToDenyResponse.objects.exists()
    assert LicenceApplication.objects.get(pk=intent_to_deny.pk).status == A.INTENT_TO_DENY


def test_a_response_when_no_intent_to_deny_is_open_is_refused(client, officer, registered, today):
    client.force_login(officer)

    response = client.post(
        reverse("application_intent_to_deny_response", args=[registered.pk]),
        {"response-responded_on": today.isoformat(), "response-text": "Unprompted."},
    )

    assert response.status_code == 409
    assert "it is registered" in response.content.decode()
    assert not IntentToDenyResponse.objects.exists()


def test_an_auditor_may_not_record_a_response_to_an_intent_to_deny(client, auditor, intent_to_deny, today):
    client.force_login(auditor)

    response = client.post(
        reverse("application_intent_to_deny_response", args=[intent_to_deny.pk]),
        {"response-responded_on": today.isoformat(), "response-text": "Not mine to send."},
    )

    assert response.status_code == 403
    assert not IntentToDenyResponse.objects.exists()


# The application's country


def test_the_application_page_shows_its_country_of_ultimate_destination(client, reviewer, case):
    application = case["application"]
    LicenceApplication.objects.filter(pk=application.pk).update(country_id="DE")
    client.force_login(reviewer)

    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()

    assert "Country of ultimate destination</dt><dd>Germany (DE)" in page


def test_an_application_older_than_its_country_says_so_and_names_the_transactions(client, reviewer, case):
    application = case["application"]
    LicenceApplication.objects.filter(pk=application.pk).update(country=None)
    client.force_login(reviewer)

    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()

    assert "not recorded on this older application; its licence takes the transaction's (Germany)" in page
