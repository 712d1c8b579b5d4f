"""The filings API: 202 and an id for each request, status and SHA-256 to poll, the files behind permissions."""

import hashlib
import zipfile
from io import BytesIO

import pytest
from rest_framework.test import APIClient

from licensing.audit.models import Event
from licensing.filings.models import ExportPackage, Filing


def error_fields(response) -> dict[str, str]:
    """The fields a problem document (RFC 9457) names, with their messages."""
    return {error["field"]: error["message"] for error in response.json()["errors"]}


@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.force_login(user)
        return client

    return client_for


def test_posting_a_kind_answers_202_with_the_filings_id(draft, officer, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(officer).post(f"/api/v1/applications/{draft.pk}/filings", {"kind": "bis_748p"}, format="json")
    assert response.status_code == 202
    filing = Filing.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/v1/filings/{filing.pk}"
    assert (filing.kind, filing.version, filing.requested_by) == ("bis_748p", 1, officer)

    status = api(officer).get(f"/api/v1/filings/{filing.pk}").json()
    assert status["status"] == "ready"
    assert status["sha256"] == filing.sha256 and len(status["sha256"]) == 64
    assert status["application_reference"] == draft.reference
    assert status["pdf"] == f"/api/v1/filings/{filing.pk}/pdf"

    pdf = api(officer).get(status["pdf"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    # A client that accepts only PDFs gets it too.
    assert api(officer).get(status["pdf"], HTTP_ACCEPT="application/pdf").status_code == 200
    assert f'filename="{draft.reference}-bis_748p-v1.pdf"' in pdf["Content-Disposition"]
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == filing.sha256
    assert Event.objects.for_target(filing).filter(verb="filing.downloaded", actor=officer).exists()


def test_a_bad_kind_is_refused_with_400_naming_the_field(draft, officer, api):
    response = api(officer).post(f"/api/v1/applications/{draft.pk}/filings", {"kind": "bis_999"}, format="json")
    assert response.status_code == 400
    assert "not a valid choice" in error_fields(response)["kind"]
    response = api(officer).post(f"/api/v1/applications/{draft.pk}/filings", {"kind": "bis_748p_a"}, format="json")
    assert response.status_code == 400
    assert "nothing for a BIS-748P-A" in error_fields(response)["kind"]
    assert not Filing.objects.exists()


def test_roles_without_the_right_are_refused(draft, auditor, outsider, api):
    url = f"/api/v1/applications/{draft.pk}/filings"
    assert api(auditor).post(url, {"kind": "bis_748p"}, format="json").status_code == 403
    # Someone with no role, or nobody at all, is not an API user.
    assert api(outsider).post(url, {"kind": "bis_748p"}, format="json").status_code in (401, 403)
    assert APIClient().post(url, {"kind": "bis_748p"}, format="json").status_code in (401, 403)
    assert not Filing.objects.exists()


def test_an_unknown_application_is_404(officer, api):
    response = api(officer).post("/api/v1/applications/999999/filings", {"kind": "bis_748p"}, format="json")
    assert response.status_code == 404


def test_the_pdf_of_a_filing_not_yet_rendered_is_409(draft, officer, api):
    response = api(officer).post(f"/api/v1/applications/{draft.pk}/filings", {"kind": "bis_748p"}, format="json")
    # Not committed, so not rendered: the filing is still queued.
    filing_id = response.json()["id"]
    assert api(officer).get(f"/api/v1/filings/{filing_id}").json()["status"] == "queued"
    pdf = api(officer).get(f"/api/v1/filings/{filing_id}/pdf")
    assert pdf.status_code == 409
    assert "queued, not generated yet" in pdf.json()["detail"]


def test_an_outsider_cannot_read_a_filing(draft, outsider, api, render):
    filing, _ = render(draft, "bis_748p")
    assert api(outsider).get(f"/api/v1/filings/{filing.pk}").status_code in (401, 403)
    assert api(outsider).get(f"/api/v1/filings/{filing.pk}/pdf").status_code in (401, 403)
    assert not Event.objects.filter(verb="filing.downloaded").exists()


def test_exports_answer_202_then_progress_then_a_download_link(
    draft, legal, auditor, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(legal).post("/api/v1/exports", {"applications": [draft.pk]}, format="json")
    assert response.status_code == 202
    package_id = response.json()["id"]
    assert response["Location"] == f"/api/v1/exports/{package_id}"

    status = api(auditor).get(f"/api/v1/exports/{package_id}").json()
    assert (status["status"], status["done"], status["total"], status["percent_done"]) == ("ready", 1, 1, 100)
    assert status["download"] == f"/api/v1/exports/{package_id}/zip"

    download = api(auditor).get(status["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == status["sha256"]
    assert "manifest.json" in zipfile.ZipFile(BytesIO(body)).namelist()
    package = ExportPackage.objects.get(pk=package_id)
    assert Event.objects.for_target(package).filter(verb="export_package.downloaded", actor=auditor).exists()


def test_exports_are_refused_to_other_roles(draft, legal, officer, admin_user, api, django_capture_on_commit_callbacks):
    assert api(officer).post("/api/v1/exports", {"applications": [draft.pk]}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        package_id = api(legal).post("/api/v1/exports", {"applications": [draft.pk]}, format="json").json()["id"]
    for user in (officer, admin_user):
        assert api(user).get(f"/api/v1/exports/{package_id}").status_code == 403
        assert api(user).get(f"/api/v1/exports/{package_id}/zip").status_code == 403
    assert not Event.objects.filter(verb="export_package.downloaded").exists()


def test_a_bad_export_selection_is_400_naming_the_field(legal, api):
    response = api(legal).post("/api/v1/exports", {}, format="json")
    assert response.status_code == 400
    assert "Choose what to export" in error_fields(response)["applications"]
    response = api(legal).post("/api/v1/exports", {"applications": ["one"]}, format="json")
    assert response.status_code == 400 and "applications.0" in error_fields(response)
    response = api(legal).post("/api/v1/exports", {"status": ["lost"]}, format="json")
    assert response.status_code == 400 and "status.0" in error_fields(response)
    response = api(legal).post("/api/v1/exports", {"created_from": "yesterday"}, format="json")
    assert response.status_code == 400 and "created_from" in error_fields(response)
    assert not ExportPackage.objects.exists()


def test_a_malformed_id_is_a_404_problem_naming_it(officer, api):
    response = api(officer).get("/api/v1/filings/12abc")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "No filing has the id 12abc."


def test_the_schema_documents_the_filings_operations(officer, api):
    schema = api(officer).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    post = schema["paths"]["/api/v1/applications/{application_id}/filings"]["post"]
    assert post["operationId"] == "filings_create" and "202" in post["responses"]
    pdf = schema["paths"]["/api/v1/filings/{filing_id}/pdf"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
    assert "409" in pdf
    assert (
        "application/zip" in schema["paths"]["/api/v1/exports/{package_id}/zip"]["get"]["responses"]["200"]["content"]
    )
    assert "202" in schema["paths"]["/api/v1/exports"]["post"]["responses"]
