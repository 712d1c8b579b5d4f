"""Drafts say so on every page; the filed version carries its control number and is what the legal package holds."""

import datetime
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from licensing.cases.services import applications
from licensing.filings.models import ExportPackage, Filing, FilingKind
from licensing.filings.services.filings import generate_filing, queue_filed_versions, queue_filing
from licensing.filings.services.packages import request_export_package
from licensing.filings.storage import media_path

from .conftest import add_items, approve
from .pdf_reading import first_page_png, page_size_pixels, page_texts, pdf_text
from .test_packages import assert_manifest_matches

FILED_ON = datetime.date(2026, 11, 20)


def file_with_bis(application, officer, capture, *, control_number="Z123456"):
    """Record the SNAP-R submission as an officer does, running what follows after commit."""
    with capture(execute=True):
        return applications.record_submission(
            actor=officer, application=application, control_number=control_number, submitted_on=FILED_ON
        )


def filed_748p(application) -> Filing:
    return Filing.objects.filed().get(application=application, kind=FilingKind.FORM_748P)


def test_every_page_of_an_unfiled_applications_748p_says_draft(draft, render):
    add_items(draft, 4)
    filing, path = render(draft, "bis_748p")
    pages = page_texts(path)
    assert filing.page_count == len(pages) >= 1
    for number, text in enumerate(pages, start=1):
        assert "DRAFT" in text, f"page {number} is not marked DRAFT"
        assert "FILED VERSION" not in text
    assert not filing.filed
    png = first_page_png(path, "bis_748p_draft")
    assert page_size_pixels(png) == (680, 880)


def test_every_appendix_and_statement_of_an_unfiled_application_says_draft(draft, render):
    add_items(draft, 30)
    _, path = render(draft, "bis_748p_a")
    pages = page_texts(path)
    assert len(pages) > 1
    assert all("DRAFT" in text for text in pages)


def test_filing_with_bis_renders_the_748p_again_as_the_filed_version(draft, officer, reviewer, render, capture):
    approved = approve(draft, officer, reviewer)
    draft_filing, _ = render(approved, "bis_748p")
    filed = file_with_bis(approved, officer, capture)

    version = filed_748p(filed)
    assert version.status == Filing.Status.READY, version.error
    assert (version.trigger, version.requested_by) == (Filing.Trigger.FILED, officer)
    assert version.version > draft_filing.version
    text = pdf_text(media_path(version.file.name))
    assert "DRAFT" not in text
    assert "FILED VERSION · filed in SNAP-R on 2026-11-20 · application control number Z123456" in text
    pages = page_texts(media_path(version.file.name))
    assert all("Z123456" in page for page in pages)
    # The 711 block 6 names goes to BIS too, so it is filed beside the form.
    assert set(Filing.objects.filed().filter(application=filed).values_list("kind", flat=True)) == {
        FilingKind.FORM_748P,
        FilingKind.FORM_711,
    }
    first_page_png(media_path(version.file.name), "bis_748p_filed")

    # A copy made later on demand is a draft again: only the filed version speaks for what BIS has.
    copy, path = render(filed, "bis_748p")
    assert not copy.filed
    assert "DRAFT · not the version filed with BIS on 2026-11-20" in pdf_text(path)


def test_a_filed_version_is_refused_for_an_application_not_filed(draft, officer, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as error:
        queue_filed_versions(application=draft, actor=officer)
    assert "snapr_control_number" in error.value.message_dict
    assert not Filing.objects.filter(application=draft).exists()


def test_a_filed_version_whose_control_number_is_gone_fails_saying_why(draft, officer):
    # A row marked filed for an application without a control number must not print as filed.
    filing = queue_filing(
        application=draft, kind=FilingKind.FORM_748P, trigger=Filing.Trigger.FILED, actor=officer, filed=True
    )
    with pytest.raises(Exception, match="no SNAP-R control number"):
        generate_filing(filing_id=filing.pk)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FAILED
    assert "no SNAP-R control number" in filing.error


def test_the_legal_package_of_a_filed_application_holds_its_filed_748p_and_case_records(
    licensed, officer, legal, render, capture
):
    # `licensed` was filed in SNAP-R before its licence; its filed versions were queued then, rendered here.
    queued = Filing.objects.filed().filter(application=licensed, status=Filing.Status.QUEUED)
    assert set(queued.values_list("kind", flat=True)) == {FilingKind.FORM_748P, FilingKind.FORM_711}
    for filing in queued:
        generate_filing(filing_id=filing.pk)
    version = filed_748p(licensed)
    assert version.status == Filing.Status.READY, version.error
    with capture(execute=True):
        package = request_export_package(actor=legal, application_ids=[licensed.pk])
    package.refresh_from_db()
    assert package.status == ExportPackage.Status.READY, package.error

    with zipfile.ZipFile(media_path(package.file.name)) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(contents["manifest.json"])
    assert_manifest_matches(manifest, contents)
    folder = f"applications/{licensed.reference}"
    filed_path = f"{folder}/filed/{version.download_name}"
    entry = next(e for e in manifest["files"] if e["path"] == filed_path)
    assert (entry["kind"], entry["filed"], entry["sha256"]) == ("filed_filing", True, version.sha256)
    pdf = media_path("test-read-filed.pdf")
    pdf.write_bytes(contents[filed_path])
    text = pdf_text(pdf)
    assert "Z123456" in text and "DRAFT" not in text

    determinations = json.loads(contents[f"{folder}/determinations.json"])
    assert [d["subject"] for d in determinations["determinations"]] == [f"customer {licensed.customer.external_id}"]
    assert determinations["determinations"][0]["status"] == "approved"
    licence = json.loads(contents[f"{folder}/licence.json"])
    assert licence["number"] == "D123456"
    assert licence["valid_from"] == "2026-11-02"
    assert [c["text"] for c in licence["conditions"]] == [
        "No release to employees of D:5 nationality",
        "Report each release quarterly",
    ]
    assert licence["usage"] == []
    kinds = {e["path"]: e["kind"] for e in manifest["files"]}
    assert kinds[f"{folder}/determinations.json"] == "determinations"
    assert kinds[f"{folder}/licence.json"] == "licence"
    assert sorted(manifest["package"]["filed_versions"]) == [
        f"{folder}/filed/{licensed.reference}-bis_711-v2.pdf",
        filed_path,
    ]


def test_the_legal_package_of_an_unfiled_application_says_it_has_no_filed_version(
    draft, legal, render, django_capture_on_commit_callbacks
):
    render(draft, "bis_748p")
    with django_capture_on_commit_callbacks(execute=True):
        package = request_export_package(actor=legal, application_ids=[draft.pk])
    package.refresh_from_db()
    with zipfile.ZipFile(media_path(package.file.name)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = archive.namelist()
    assert manifest["package"]["filed_versions"] == []
    assert not any("/filed/" in name for name in names)
    drafts = [e for e in manifest["files"] if e["kind"] == "filing"]
    assert [e["filed"] for e in drafts] == [False]
    assert f"applications/{draft.reference}/licence.json" not in names


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks
