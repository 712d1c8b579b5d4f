"""The restoration pages: upload and dry-run report, progress, triage with the why, moves, the overview, CSV export."""

import csv
import io

import pytest
from django.urls import reverse

from licensing.parties.models import Customer
from licensing.restoration.models import Bucket, ImportRun, Proposal
from licensing.restoration.services.triage import triage_subject, triage_subjects
from tests.factories import CustomerFactory

from .intake_files import CUSTOMERS, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def test_an_officer_uploads_a_file_and_reads_its_dry_run_report(signed_in):
    bad = CUSTOMERS + "B-4,entity,Nowhere Ltd,ZZ,,\n"
    response = signed_in.post(
        reverse("restoration:import_new"), {"kind": "customers", "file": upload(bad), "dry_run": "on"}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("restoration:import", args=[run.pk])
    page = signed_in.get(response["Location"]).content.decode()
    assert "1 problem: nothing was written" in page
    assert "country_of_incorporation" in page and "Unknown country &#x27;ZZ&#x27;" in page
    assert not Customer.objects.exists()


def test_a_checked_file_is_imported_from_its_page_and_shows_progress(signed_in, django_capture_on_commit_callbacks):
    signed_in.post(reverse("restoration:import_new"), {"kind": "customers", "file": upload(CUSTOMERS), "dry_run": "on"})
    run = ImportRun.objects.get()
    page = signed_in.get(reverse("restoration:import", args=[run.pk])).content.decode()
    assert "Import these 3 rows" in page
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("restoration:import_start", args=[run.pk]))
    progress = signed_in.get(reverse("restoration:import", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-progress"' in progress and "hx-get" not in progress
    assert '<progress id="import-bar" max="3" value="3">' in progress
    assert "3 created, 0 changed" in progress


def test_a_running_import_polls_for_its_progress(signed_in, officer):
    run = ImportRun.objects.create(
        kind="customers", status=ImportRun.Status.RUNNING, total=10, done=4, created_by=officer
    )
    progress = signed_in.get(reverse("restoration:import", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in progress and "4 of 10 rows written" in progress


def test_an_auditor_cannot_upload(client, auditor):
    client.force_login(auditor)
    response = client.post(reverse("restoration:import_new"), {"kind": "customers", "file": upload(CUSTOMERS)})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_the_triage_list_shows_why_each_subject_is_in_its_bucket(signed_in):
    customer = CustomerFactory(legal_name="Rhein Daten GmbH", country_of_incorporation_id="DE")
    triage_subject(customer)
    page = signed_in.get(reverse("restoration:triage") + "?bucket=licence_required").content.decode()
    assert "Rhein Daten GmbH" in page
    assert "Country of incorporation: DE" in page
    assert "Accept every proposal shown" in page


def test_accepting_a_bucket_accepts_only_what_the_list_shows(signed_in):
    triage_subjects(
        [
            CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US"),
            CustomerFactory(country_of_incorporation_id="DE"),
        ]
    )
    signed_in.post(reverse("restoration:accept") + "?bucket=restorable")
    assert list(Proposal.objects.accepted().values_list("bucket", flat=True)) == [Bucket.RESTORABLE]
    # Without a bucket nothing is accepted at all.
    signed_in.post(reverse("restoration:accept"))
    assert Proposal.objects.accepted().count() == 1


def test_an_officer_moves_a_subject_with_a_reason(signed_in):
    proposal = triage_subject(CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US"))
    refused = signed_in.post(
        reverse("restoration:proposal_move", args=[proposal.pk]), {"bucket": "refused", "reason": ""}
    )
    assert refused.status_code == 422
    moved = signed_in.post(
        reverse("restoration:proposal_move", args=[proposal.pk]), {"bucket": "refused", "reason": "Front for an SDN"}
    )
    current = Proposal.objects.current().get()
    assert moved["Location"] == reverse("restoration:proposal", args=[current.pk])
    page = signed_in.get(moved["Location"]).content.decode()
    assert "Front for an SDN" in page and "Restorable now" in page


def test_an_auditor_reads_the_triage_but_cannot_move(client, auditor):
    proposal = triage_subject(CustomerFactory())
    client.force_login(auditor)
    assert (
        "Move to another bucket" not in client.get(reverse("restoration:proposal", args=[proposal.pk])).content.decode()
    )
    response = client.post(
        reverse("restoration:proposal_move", args=[proposal.pk]), {"bucket": "refused", "reason": "x"}
    )
    assert response.status_code == 403


def test_the_overview_draws_the_buckets_over_time_and_the_figures(signed_in):
    triage_subjects(
        [CustomerFactory(country_of_incorporation_id="DE"), CustomerFactory(country_of_incorporation_id="DE")]
    )
    page = signed_in.get(reverse("restoration:overview")).content.decode()
    assert "<svg" in page and page.count("<polyline") == len(Bucket.values)
    assert 'id="count-licence_required">2<' in page
    assert "2 subjects</a> triaged and not yet restored" in page
    assert "<script" not in page.split("<main", 1)[-1]


def test_the_csv_export_defuses_formulas(signed_in):
    for name in ('=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", "Plain Ltd"):
        triage_subject(CustomerFactory(legal_name=name, country_of_incorporation_id="DE"))
    response = signed_in.get(reverse("restoration:triage") + "?format=csv&sort=bucket")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = sorted(row["name"] for row in rows)
    assert names == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rReturn", "Plain Ltd"]
    )
    assert all(row["bucket"] == "Foreign: licence required" for row in rows)
