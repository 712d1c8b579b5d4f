"""The browser pages: an application's filings, retention and legal hold, export packages with progress."""

import pytest
from django.test import Client

from licensing.audit.models import Event
from licensing.filings.models import ExportPackage, Filing, RetentionRecord
from licensing.filings.services.filings import request_filing
from licensing.filings.services.packages import request_export_package


@pytest.fixture
def browser():
    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    return client_for


def test_an_officer_sees_every_version_and_the_retention_of_an_application(draft, officer, browser, render):
    first, _ = render(draft, "bis_748p")
    second, _ = render(draft, "bis_748p")
    page = browser(officer).get(f"/filings/applications/{draft.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Filings of {draft.reference}" in html
    assert first.sha256 in html and second.sha256 in html
    assert f"/filings/{first.pk}/pdf" in html and f"/filings/{second.pk}/pdf" in html
    assert "Generate a new version" in html
    assert "not before five years after the transaction ends" in html
    # Officers may not set legal holds, so the form is not offered.
    assert "Set legal hold" not in html


def test_someone_without_a_role_cannot_open_the_filings_pages(draft, outsider, browser):
    client = browser(outsider)
    assert client.get(f"/filings/applications/{draft.pk}/").status_code == 403
    assert client.get("/filings/").status_code == 403
    assert client.post(f"/filings/applications/{draft.pk}/generate", {"kind": "bis_748p"}).status_code == 403
    assert not Filing.objects.exists()


def test_the_generate_button_queues_a_new_version(draft, officer, browser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(officer).post(f"/filings/applications/{draft.pk}/generate", {"kind": "bis_748p"})
    assert response.status_code == 302 and response["Location"] == f"/filings/applications/{draft.pk}/"
    filing = Filing.objects.get()
    assert (filing.status, filing.trigger, filing.requested_by) == (Filing.Status.READY, "on_demand", officer)
    download = browser(officer).get(f"/filings/{filing.pk}/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_document_the_application_cannot_fill_is_refused_beside_the_field(draft, officer, browser):
    response = browser(officer).post(f"/filings/applications/{draft.pk}/generate", {"kind": "licence_summary"})
    assert response.status_code == 400
    assert "has no issued licence; record BIS&#x27;s approval first." in response.content.decode()
    response = browser(officer).post(f"/filings/applications/{draft.pk}/generate", {"kind": "nonsense"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Filing.objects.exists()


def test_an_auditor_cannot_generate(draft, auditor, browser):
    assert browser(auditor).post(f"/filings/applications/{draft.pk}/generate", {"kind": "bis_748p"}).status_code == 403
    assert not Filing.objects.exists()


def test_failed_renders_are_listed_and_can_be_retried(
    draft, officer, browser, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.FILINGS_FONT_DIR = str(tmp_path / "missing")
    with django_capture_on_commit_callbacks(execute=True):
        browser(officer).post(f"/filings/applications/{draft.pk}/generate", {"kind": "bis_748p"})
    filing = Filing.objects.get()
    assert filing.status == Filing.Status.FAILED
    index = browser(officer).get("/filings/").content.decode()
    assert "Failed renders" in index and "font DejaVuSans.ttf is not in" in index
    assert browser(officer).get(f"/filings/{filing.pk}/pdf").status_code == 409

    del settings.FILINGS_FONT_DIR
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(officer).post(f"/filings/{filing.pk}/retry")
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.READY


def test_legal_staff_set_and_release_a_legal_hold(draft, legal, officer, browser):
    url = f"/filings/applications/{draft.pk}/legal-hold"
    assert browser(officer).post(url, {"reason": "Subpoena"}).status_code == 403
    missing = browser(legal).post(url, {"reason": ""})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    assert browser(legal).post(url, {"reason": "Subpoena 26-114"}).status_code == 302
    record = RetentionRecord.objects.get(application=draft)
    assert (record.legal_hold, record.legal_hold_reason, record.legal_hold_set_by) == (True, "Subpoena 26-114", legal)
    page = browser(legal).get(f"/filings/applications/{draft.pk}/").content.decode()
    assert "Nothing of this case may be destroyed." in page and "Release legal hold" in page
    assert browser(legal).post(url + "/release", {"reason": "Closed"}).status_code == 302
    record.refresh_from_db()
    assert not record.legal_hold


def test_filings_inside_their_retention_period_are_not_destroyed_and_only_administrators_may_ask(
    draft, officer, legal, admin_user, browser
):
    filing = request_filing(actor=officer, application=draft, kind="bis_748p")
    url = f"/filings/applications/{draft.pk}/destroy"

    assert browser(legal).post(url).status_code == 403
    response = browser(admin_user).post(url, follow=True)

    assert "Nothing was destroyed" in response.content.decode() and "is still running" in response.content.decode()
    # The page offers the button only once the retention period has ended.
    assert url not in response.content.decode()
    assert Filing.objects.filter(pk=filing.pk).exists()
    assert not Event.objects.filter(verb="retention.filings_destroyed").exists()


def test_legal_staff_build_a_package_and_watch_its_progress(draft, legal, browser, django_capture_on_commit_callbacks):
    client = browser(legal)
    assert client.get("/filings/exports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/filings/exports/", {"applications": f"{draft.reference}"})
    package = ExportPackage.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/filings/exports/{package.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="package-bar" max="1" value="1">' in page
    assert f"/filings/exports/{package.pk}/download" in page
    # Finished, the fragment no longer asks to be polled.
    assert "hx-trigger" not in client.get(f"/filings/exports/{package.pk}/progress").content.decode()
    download = client.get(f"/filings/exports/{package.pk}/download")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert Event.objects.for_target(package).filter(verb="export_package.downloaded", actor=legal).exists()


def test_a_package_being_built_is_polled_for_progress(draft, auditor, browser):
    package = request_export_package(actor=auditor, application_ids=[draft.pk])
    fragment = browser(auditor).get(f"/filings/exports/{package.pk}/progress").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert '<progress id="package-bar" max="1" value="0">' in fragment


def test_a_bad_selection_is_shown_beside_its_field(legal, browser):
    response = browser(legal).post("/filings/exports/", {"applications": "EXD-12 banana"})
    assert response.status_code == 400
    assert "&#x27;banana&#x27; is not an application reference (EXD-000123) or id." in response.content.decode()
    response = browser(legal).post("/filings/exports/", {"customer": "CUST-NOBODY"})
    assert response.status_code == 400 and "No customer has the billing id" in response.content.decode()
    assert not ExportPackage.objects.exists()


def test_officers_cannot_see_or_download_packages(draft, legal, officer, browser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        package = request_export_package(actor=legal, application_ids=[draft.pk])
    client = browser(officer)
    assert client.get("/filings/exports/").status_code == 403
    assert client.post("/filings/exports/", {"applications": draft.reference}).status_code == 403
    assert client.get(f"/filings/exports/{package.pk}/").status_code == 403
    assert client.get(f"/filings/exports/{package.pk}/download").status_code == 403
    assert not Event.objects.filter(verb="export_package.downloaded").exists()
