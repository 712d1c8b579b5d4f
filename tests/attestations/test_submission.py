"""A signed answer becomes evidence on the subject and re-runs its triage; it approves nothing by itself."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing.attestations.models import Attestation, AttestationDocument
from licensing.attestations.services.sending import send_attestation
from licensing.audit.models import Event
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Ownership, StatusRecord
from licensing.restoration.models import Bucket, Proposal
from licensing.restoration.services.triage import triage_subject
from tests.factories import CustomerFactory

from .mailbox import last_link

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed(**answers):
    return {
        "end_use": "Internal research assistant",
        "signed_name": "Ana Souza",
        "signed_title": "Research engineer",
        "confirm": "on",
        **answers,
    }


def test_a_persons_citizenship_becomes_a_status_record_and_triage_moves_them(client, sent, seat, today):
    attestation, link = sent
    assert triage_subject(seat).bucket == Bucket.NEEDS_ATTESTATION

    response = client.post(
        link,
        signed(
            citizenship_1_country="BR",
            citizenship_1_since="1990-05-01",
            document_1_kind="passport",
            document_1_file=SimpleUploadedFile("passport.pdf", PDF, "application/pdf"),
        ),
    )

    assert response.status_code == 200, response.content
    assert b"Thank you" in response.content
    record = StatusRecord.objects.get(person=seat)
    assert (record.kind, record.country_id, str(record.acquired_on)) == ("citizenship", "BR", "1990-05-01")
    attestation.refresh_from_db()
    assert attestation.status == Attestation.Status.SUBMITTED
    assert (attestation.signed_name, attestation.signed_title, attestation.signed_on) == (
        "Ana Souza",
        "Research engineer",
        today,
    )
    assert attestation.recorded["status_records"] == [record.pk]
    assert attestation.recorded["source"] == f"customer attestation #{attestation.pk}"
    document = AttestationDocument.objects.get(attestation=attestation)
    assert document.original_name == "passport.pdf"
    assert document.file.read() == PDF
    submitted = Event.objects.get(verb="attestation.submitted")
    assert submitted.after["status_records"] == [record.pk]
    # Its reaction ran triage again on the new fact: a Brazilian citizen needs a licence, attributed to Brazil.
    current = Proposal.objects.current().for_subject(seat).get()
    assert (current.bucket, current.attribution_country_id) == (Bucket.LICENCE_REQUIRED, "BR")
    # Evidence only: nothing is determined, let alone approved.
    assert not ForeignPersonDetermination.objects.exists()


def test_an_entitys_answers_fill_in_what_is_missing_and_record_its_owners(client, officer, unknown_entity):
    send_attestation(actor=officer, subject=unknown_entity)

    response = client.post(
        last_link(),
        signed(
            country_of_incorporation="US",
            headquarters_country="US",
            owner_1_name="Harbor Capital LP",
            owner_1_country="US",
            owner_1_percentage="40",
            owner_2_name="Tokai Holdings KK",
            owner_2_country="JP",
            owner_2_percentage="30",
        ),
    )

    assert response.status_code == 200, response.content
    unknown_entity.refresh_from_db()
    assert (unknown_entity.country_of_incorporation_id, unknown_entity.headquarters_country_id) == ("US", "US")
    owners = Ownership.objects.filter(owned=unknown_entity).order_by("-percentage")
    assert [(o.owner_name, str(o.percentage)) for o in owners] == [
        ("Harbor Capital LP", "40.00"),
        ("Tokai Holdings KK", "30.00"),
    ]
    attestation = Attestation.objects.get()
    assert owners[1].source == f"customer attestation #{attestation.pk}; owner's country JP"
    # Triage ran again and read the owners just recorded.
    proposal = Proposal.objects.current().for_subject(unknown_entity).get()
    assert "Tokai Holdings KK" in str(proposal.reasons)


def test_a_us_entity_with_no_large_owner_becomes_restorable(client, officer, unknown_entity):
    assert triage_subject(unknown_entity).bucket == Bucket.NEEDS_ATTESTATION
    send_attestation(actor=officer, subject=unknown_entity)

    client.post(last_link(), signed(country_of_incorporation="US", headquarters_country="US"))

    assert Proposal.objects.current().for_subject(unknown_entity).get().bucket == Bucket.RESTORABLE


def test_an_answer_that_contradicts_the_record_is_kept_beside_it_not_written_over(client, officer):
    customer = CustomerFactory(country_of_incorporation_id="DE")
    send_attestation(actor=officer, subject=customer, contact_email="cfo@example.de")

    client.post(last_link(), signed(country_of_incorporation="US"))

    customer.refresh_from_db()
    assert customer.country_of_incorporation_id == "DE"
    assert Attestation.objects.get().recorded["discrepancies"] == [
        "country of incorporation: recorded DE, attested US."
    ]


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"citizenship_1_country": "ZZ", "citizenship_1_since": "1990-01-01"}, "citizenship_1_country", b"ZZ"),
        ({"citizenship_1_country": "FR", "citizenship_1_since": "2999-01-01"}, "citizenship_1_country", b"future"),
        ({"citizenship_1_country": "FR"}, "citizenship_1_since", b"required"),
        ({"citizenship_1_country": "FR", "citizenship_1_since": "1990-01-01", "end_use": ""}, "end_use", b"required"),
    ],
    ids=["unknown country", "future date", "no date", "no end use"],
)
def test_bad_answers_are_named_on_the_form_and_nothing_is_written(client, sent, answers, field, message):
    attestation, link = sent

    response = client.post(link, signed(**answers))

    assert response.status_code == 400
    assert message in response.content
    attestation.refresh_from_db()
    assert attestation.is_open
    assert not StatusRecord.objects.exists()


def test_an_upload_that_is_not_a_document_is_refused_with_the_field_named(client, sent):
    attestation, link = sent
    response = client.post(
        link,
        signed(
            citizenship_1_country="FR",
            citizenship_1_since="1990-01-01",
            document_1_kind="passport",
            document_1_file=SimpleUploadedFile("passport.pdf", b"<html>not a pdf</html>", "application/pdf"),
        ),
    )
    assert response.status_code == 400
    assert b"Only PDF, PNG, JPEG or TIFF" in response.content
    assert not AttestationDocument.objects.exists()
    assert not StatusRecord.objects.exists()


def test_a_link_answers_once(client, sent):
    _, link = sent
    answers = signed(citizenship_1_country="FR", citizenship_1_since="1990-01-01")
    assert client.post(link, answers).status_code == 200

    again = client.post(link, answers)

    assert again.status_code == 410
    assert b"already been answered" in again.content
    assert StatusRecord.objects.count() == 1


def test_the_signature_and_confirmation_are_required(client, sent):
    _, link = sent
    answers = signed(citizenship_1_country="FR", citizenship_1_since="1990-01-01", signed_name="", confirm="")
    response = client.post(link, answers)
    assert response.status_code == 400
    assert not StatusRecord.objects.exists()


def test_the_link_in_the_mail_names_the_expiry_and_that_nothing_is_approved_by_it(sent):
    body = mail.outbox[-1].body
    assert "until" in body and "determination" in body
    assert isinstance(io.StringIO(body).read(), str)


def test_an_attested_document_is_opened_by_compliance_only_and_each_opening_is_logged(client, sent, officer, auditor):
    attestation, link = sent
    client.post(
        link,
        signed(
            citizenship_1_country="FR",
            citizenship_1_since="1990-01-01",
            document_1_kind="passport",
            document_1_file=SimpleUploadedFile("passport.pdf", PDF, "application/pdf"),
        ),
    )
    document = AttestationDocument.objects.get()
    address = f"/attestations/{attestation.pk}/documents/{document.pk}"

    client.force_login(auditor)
    assert client.get(address).status_code == 403
    client.force_login(officer)
    response = client.get(address)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert Event.objects.filter(verb="attestation.document_opened").count() == 1
