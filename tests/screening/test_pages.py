"""The screening pages: the queue, a hit and its adjudication, lists and imports, search, a subject."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing.screening.models import Hit, ListImport, ListVersion
from licensing.screening.services.screening import screen_subject

from ..factories import CustomerFactory
from .conftest import CSL_SAMPLE, DENIED_COMPANY


@pytest.fixture
def hit(listed):
    customer = CustomerFactory(legal_name="Antasena Kreasi", country_of_incorporation_id="ID")
    screen_subject(customer)
    return Hit.objects.get(customer=customer)


def test_the_queue_shows_hits_awaiting_adjudication_and_the_lists_in_force(hit, client, auditor):
    client.force_login(auditor)
    page = client.get("/screening/").content.decode()
    assert f"/screening/hits/{hit.pk}/" in page
    assert DENIED_COMPANY in page
    assert "Consolidated Screening List of 2026-07-31" in page


def test_the_queue_needs_a_role(hit, client, outsider):
    client.force_login(outsider)
    assert client.get("/screening/").status_code == 403


def test_an_officer_adjudicates_on_the_hit_page(hit, client, officer):
    client.force_login(officer)
    page = client.get(f"/screening/hits/{hit.pk}/").content.decode()
    assert "Same address" not in page
    assert 'value="true_match"' in page
    response = client.post(
        f"/screening/hits/{hit.pk}/adjudicate/", {"outcome": "true_match", "reason": "Same address in Jakarta"}
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.status == Hit.Status.CONFIRMED
    assert "Same address in Jakarta" in client.get(f"/screening/hits/{hit.pk}/").content.decode()


def test_the_hit_page_shows_legal_staff_no_adjudication_and_refuses_their_post(hit, client, legal):
    client.force_login(legal)
    page = client.get(f"/screening/hits/{hit.pk}/").content.decode()
    assert 'value="true_match"' not in page
    response = client.post(f"/screening/hits/{hit.pk}/adjudicate/", {"outcome": "true_match", "reason": "x"})
    assert response.status_code == 403
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN


def test_an_adjudication_without_its_reason_is_shown_back_with_the_error(hit, client, officer):
    client.force_login(officer)
    response = client.post(f"/screening/hits/{hit.pk}/adjudicate/", {"outcome": "true_match", "reason": ""})
    assert response.status_code == 400
    assert "needs a reason" in response.content.decode()


def test_an_administrator_imports_a_list_by_upload_and_follows_its_progress(
    db, client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("consolidated-2026-07-31.csv", CSL_SAMPLE.read_bytes(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/screening/lists/", {"feed": "csl", "list_file": upload})
    run = ListImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/screening/imports/{run.pk}/"
    run.refresh_from_db()
    assert run.status == ListImport.Status.IMPORTED, run.error
    page = client.get(response["Location"]).content.decode()
    assert "Imported as a new version" in page
    assert ListVersion.objects.in_force().get().published_on.isoformat() == "2026-07-31"


def test_the_import_form_wants_each_file_once(db, client, admin_user):
    client.force_login(admin_user)
    response = client.post("/screening/lists/", {"feed": "ofac_sdn", "sdn_url": "https://example.org/sdn.csv"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the alt.csv as an upload or as a URL" in page
    assert not ListImport.objects.exists()


def test_officers_see_no_import_form_and_cannot_post_one(db, client, officer):
    client.force_login(officer)
    assert "Import a list" not in client.get("/screening/lists/").content.decode()
    upload = SimpleUploadedFile("c.csv", CSL_SAMPLE.read_bytes())
    assert client.post("/screening/lists/", {"feed": "csl", "list_file": upload}).status_code == 403
    assert not ListImport.objects.exists()


def test_the_search_page_screens_a_name(listed, client, legal):
    client.force_login(legal)
    page = client.get("/screening/search/", {"name": "Antasena Kreasi"}).content.decode()
    assert DENIED_COMPANY in page
    assert "DPL" in page


def test_the_search_page_names_a_bad_country(listed, client, legal):
    client.force_login(legal)
    response = client.get("/screening/search/", {"name": "Antasena Kreasi", "country": "QQ"})
    assert response.status_code == 400
    assert "not an ISO 3166 alpha-2 country code" in response.content.decode()


def test_a_subjects_page_shows_its_screening_and_an_officer_screens_it_again(hit, client, officer):
    client.force_login(officer)
    url = f"/screening/customer/{hit.customer_id}/"
    assert f"/screening/hits/{hit.pk}/" in client.get(url).content.decode()
    assert client.post(url).status_code == 302


def test_only_compliance_screens_a_subject_again(hit, client, auditor):
    client.force_login(auditor)
    assert client.post(f"/screening/customer/{hit.customer_id}/").status_code == 403
