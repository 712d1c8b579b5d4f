import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licensing.parties.evidence import attach_evidence
from licensing.parties.models import EvidenceDocument

from ..factories import PersonFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_pdf_passport_scan_is_stored_privately(officer, settings):
    person = PersonFactory()
    document = attach_evidence(
        actor=officer, person=person, kind="passport", upload=SimpleUploadedFile("passport.pdf", PDF)
    )
    assert document.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "passport" not in document.file.name
    assert document.original_name == "passport.pdf"


def test_a_script_renamed_to_pdf_is_refused_by_its_content(officer):
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        attach_evidence(
            actor=officer,
            person=person,
            kind="passport",
            upload=SimpleUploadedFile("passport.pdf", b"#!/bin/sh\nrm -rf /\n"),
        )
    assert "whatever its name" in error.value.message_dict["file"][0]
    assert not EvidenceDocument.objects.exists()


def test_oversized_files_are_refused(officer, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="the limit is 1,024"):
        attach_evidence(
            actor=officer,
            person=PersonFactory(),
            kind="visa",
            upload=SimpleUploadedFile("visa.png", PNG + b"\x00" * 2048),
        )


def test_legal_staff_cannot_attach_evidence(legal):
    with pytest.raises(PermissionDenied):
        attach_evidence(actor=legal, person=PersonFactory(), kind="visa", upload=SimpleUploadedFile("v.png", PNG))


def test_evidence_is_served_only_to_compliance_roles(client, officer, legal, auditor):
    document = attach_evidence(
        actor=officer, person=PersonFactory(), kind="resume", upload=SimpleUploadedFile("cv.pdf", PDF)
    )
    url = reverse("person_evidence_download", args=[document.person_id, document.pk])
    for user in (legal, auditor):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]


def test_evidence_needs_a_signed_in_user(client, officer):
    document = attach_evidence(
        actor=officer, person=PersonFactory(), kind="resume", upload=SimpleUploadedFile("cv.pdf", PDF)
    )
    response = client.get(reverse("person_evidence_download", args=[document.person_id, document.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(("content", "extension", "mime"), [(PDF, "pdf", "application/pdf"), (PNG, "png", "image/png")])
def test_a_pdf_or_png_named_html_is_kept_and_served_as_what_it_is(client, officer, content, extension, mime):
    document = attach_evidence(
        actor=officer, person=PersonFactory(), kind="passport", upload=SimpleUploadedFile("passport.html", content)
    )
    assert document.original_name == f"passport.{extension}"
    assert document.file.name.endswith(f".{extension}")

    client.force_login(officer)
    response = client.get(reverse("person_evidence_download", args=[document.person_id, document.pk]))
    assert response["Content-Type"] == mime
    assert f'filename="passport.{extension}"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content


def test_a_stored_file_named_html_from_before_is_served_by_its_content_not_its_name(client, officer):
    document = attach_evidence(
        actor=officer, person=PersonFactory(), kind="passport", upload=SimpleUploadedFile("scan.pdf", PDF)
    )
    # A row written before names followed content.
    EvidenceDocument.objects.filter(pk=document.pk).update(original_name="scan.html")
    client.force_login(officer)
    response = client.get(reverse("person_evidence_download", args=[document.person_id, document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="scan.pdf"' in response["Content-Disposition"]
