"""Legal export packages: everything about the chosen applications, with a manifest whose hashes match."""

import datetime
import hashlib
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication, SupportingDocument, SupportingDocumentKind
from licensing.filings.models import ExportPackage, Filing
from licensing.filings.services.packages import open_package_for_download, request_export_package
from licensing.filings.storage import media_path

from ..factories import transaction
from .conftest import german_customer


def build(actor, capture, **selection) -> ExportPackage:
    with capture(execute=True):
        package = request_export_package(actor=actor, **selection)
    package.refresh_from_db()
    return package


def read_package(package: ExportPackage) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(media_path(package.file.name)) as archive:
        assert archive.testzip() is None
        contents = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(contents["manifest.json"]), contents


def assert_manifest_matches(manifest: dict, contents: dict[str, bytes]) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(contents) - {"manifest.json", "SHA256SUMS"}
    for path, entry in listed.items():
        assert hashlib.sha256(contents[path]).hexdigest() == entry["sha256"], path
        assert len(contents[path]) == entry["size"], path
    sums = dict(reversed(line.split("  ", 1)) for line in contents["SHA256SUMS"].decode().splitlines())
    assert sums == {path: entry["sha256"] for path, entry in listed.items()}


def test_a_package_holds_filings_data_events_and_documents_with_matching_hashes(
    draft, officer, legal, render, django_capture_on_commit_callbacks
):
    filing, _ = render(draft, "bis_748p")
    second, _ = render(draft, "bis_748p")
    SupportingDocument.objects.create(
        application=draft,
        kind=SupportingDocumentKind.TECHNICAL_SPECIFICATIONS,
        file=ContentFile(b"model card, 12 pages", name="spec.pdf"),
        token="spec01",
        original_name="Model card (v3).pdf",
        uploaded_by=officer,
    )
    package = build(legal, django_capture_on_commit_callbacks, application_ids=[draft.pk])
    assert package.status == ExportPackage.Status.READY, package.error
    assert (package.done, package.total, package.percent_done) == (1, 1, 100)
    assert hashlib.sha256(media_path(package.file.name).read_bytes()).hexdigest() == package.sha256

    manifest, contents = read_package(package)
    assert_manifest_matches(manifest, contents)
    folder = f"applications/{draft.reference}"
    assert manifest["package"]["applications"] == [draft.reference]
    assert manifest["package"]["requested_by"] == "legal"
    for version in (filing, second):
        path = f"{folder}/filings/{version.download_name}"
        assert hashlib.sha256(contents[path]).hexdigest() == version.sha256
    assert contents[f"{folder}/documents/{draft.documents.get().pk}-technical_specifications-Model_card_v3_.pdf"] == (
        b"model card, 12 pages"
    )
    record = json.loads(contents[f"{folder}/application.json"])
    assert record["reference"] == draft.reference
    assert record["blocks"]["9 special purpose"] == "University research"
    assert {p["role"] for p in record["parties"]} >= {"applicant", "purchaser", "ultimate_consignee", "end_user"}
    assert record["items"][0]["22a ECCN"] == "4E091"
    events = json.loads(contents[f"{folder}/events.json"])
    verbs = [event["verb"] for event in events]
    assert "application.created" in verbs and "transaction.decided" in verbs
    assert verbs.count("filing.generated") == 2
    assert Event.objects.for_target(package).filter(verb="export_package.built").exists()


def test_only_legal_staff_and_auditors_may_export(draft, officer, reviewer, admin_user, outsider):
    for user in (officer, reviewer, admin_user, outsider):
        with pytest.raises(PermissionDenied):
            request_export_package(actor=user, application_ids=[draft.pk])
    assert not ExportPackage.objects.exists()


def test_an_empty_or_unknown_selection_is_refused_naming_the_field(draft, legal):
    with pytest.raises(ValidationError) as error:
        request_export_package(actor=legal)
    assert "Choose what to export" in error.value.message_dict["applications"][0]
    with pytest.raises(ValidationError) as error:
        request_export_package(actor=legal, application_ids=[draft.pk, 999_999])
    assert error.value.message_dict["applications"] == ["No application with id 999999."]
    with pytest.raises(ValidationError) as error:
        request_export_package(actor=legal, statuses=["approved"])
    assert error.value.message_dict["applications"] == ["The filter matches no applications."]
    with pytest.raises(ValidationError) as error:
        request_export_package(
            actor=legal, created_from=datetime.date(2026, 5, 1), created_to=datetime.date(2026, 4, 1)
        )
    assert "created_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        request_export_package(actor=legal, statuses=["lost"])
    assert error.value.message_dict["status"] == ["Unknown status lost."]
    assert not ExportPackage.objects.exists()


def test_a_filter_selects_a_customers_applications_in_a_period(draft, legal, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    package = build(
        legal,
        django_capture_on_commit_callbacks,
        customer=draft.customer,
        statuses=[LicenceApplication.Status.DRAFT],
        created_from=today,
        created_to=today,
    )
    assert package.application_ids == [draft.pk]
    assert package.selection["customer"] == draft.customer.external_id
    assert package.status == ExportPackage.Status.READY


def test_a_filing_changed_on_disk_stops_the_package_and_leaves_no_zip(
    draft, legal, render, django_capture_on_commit_callbacks
):
    filing, path = render(draft, "bis_748p")
    path.write_bytes(path.read_bytes() + b"% altered")
    package = build(legal, django_capture_on_commit_callbacks, application_ids=[draft.pk])
    assert package.status == ExportPackage.Status.FAILED
    assert f"filing {filing.pk}" in package.error and "does not match the SHA-256 recorded" in package.error
    assert package.file.name == ""
    exports = media_path("exports")
    assert not exports.exists() or list(exports.iterdir()) == []


def test_downloads_are_for_legal_and_audit_only_and_logged(
    draft, legal, auditor, officer, django_capture_on_commit_callbacks
):
    package = build(legal, django_capture_on_commit_callbacks, application_ids=[draft.pk])
    with pytest.raises(PermissionDenied):
        open_package_for_download(actor=officer, package=package)
    with open_package_for_download(actor=auditor, package=package) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == package.sha256
    downloads = Event.objects.for_target(package).filter(verb="export_package.downloaded")
    assert [event.actor for event in downloads] == [auditor]


@pytest.mark.slow
def test_an_export_of_200_applications_completes_with_a_manifest_whose_hashes_match(
    officer, reviewer, legal, item, render, django_capture_on_commit_callbacks
):
    from ..factories import letter

    letter(item)
    customer = german_customer(officer, reviewer)
    for number in range(200):
        transaction(customer, item, external_id=f"TX-BULK-{number:03d}", value=Decimal(1000 + number))
    applications = list(LicenceApplication.objects.filter(customer=customer).order_by("pk"))
    assert len(applications) == 200
    # Filings for some of them; the rest go with their data and events only.
    for application in applications[:10]:
        render(application, "bis_748p")
    package = build(legal, django_capture_on_commit_callbacks, customer=customer)
    assert package.status == ExportPackage.Status.READY, package.error
    assert (package.done, package.total) == (200, 200)
    manifest, contents = read_package(package)
    assert_manifest_matches(manifest, contents)
    assert len(manifest["package"]["applications"]) == 200
    assert sum(1 for entry in manifest["files"] if entry["kind"] == "filing") == 10
    # Each application's data, events and determinations, and the ten filings.
    assert package.file_count == 200 * 3 + 10
    for filing in Filing.objects.ready():
        entry = next(e for e in manifest["files"] if e.get("filing") == filing.pk)
        assert entry["sha256"] == filing.sha256
