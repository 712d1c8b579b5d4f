"""What an import creates or changes is screened after it, a chunk per task, and each subject triaged again."""

import pytest
from django.urls import reverse

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.audit.models import Event
from licensing.outbox.models import OutboxMessage
from licensing.parties.models import Customer, Person
from licensing.restoration.models import Bucket, ImportRun, ImportScreeningChunk, Proposal
from licensing.restoration.services import screening as import_screening
from licensing.restoration.services.imports import create_import_run, run_import
from licensing.restoration.services.screening import screen_import_chunk
from licensing.restoration.task_names import SCREEN_IMPORTED
from licensing.screening.models import Hit, SubjectScreening
from tests.api.conftest import client_with_token
from tests.screening.conftest import csl_csv, import_csl, sample_rows

from .intake_files import upload

pytestmark = pytest.mark.django_db

# A U.S. company with nothing against it, and one named as an entry of the shipped sample (ISN).
BOOK = (
    "external_id,kind,legal_name,country_of_incorporation,headquarters_country,aliases\n"
    "B-1,entity,Acme Robotics Inc.,US,US,\n"
    "B-2,entity,Sinobright Import and Export Company,US,US,\n"
)
SEATS = (
    "customer_external_id,external_id,given_name,family_name,location_country,citizenship,citizenship_acquired_on\n"
    "B-1,U-1,Grace,Hopper,US,US,1906-12-09\n"
)


@pytest.fixture
def lists_in_force(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "consolidated-2026-07-31.csv"
    path.write_bytes(csl_csv(sample_rows()))
    with django_capture_on_commit_callbacks(execute=True):
        run = import_csl(path)
    assert run.version is not None and run.version.status == "in_force", run.error
    return run.version


@pytest.fixture
def import_file(officer, django_capture_on_commit_callbacks):
    def run(kind, text, name="book.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            created = create_import_run(actor=officer, kind=kind, upload=upload(text, name), dry_run=False)
        created.refresh_from_db()
        return created

    return run


def buckets_over_time(customer) -> list[str]:
    return list(
        Proposal.objects.filter(customer=customer).order_by("proposed_at", "pk").values_list("bucket", flat=True)
    )


def test_an_imported_customer_awaits_screening_then_is_triaged_again_clean_or_blocked(lists_in_force, import_file):
    run = import_file("customers", BOOK)
    assert run.status == ImportRun.Status.DONE

    acme, listed = Customer.objects.get(external_id="B-1"), Customer.objects.get(external_id="B-2")
    # Triaged by the import before its screening, then again by the screening's reaction.
    assert buckets_over_time(acme) == [Bucket.AWAITING_SCREENING, Bucket.RESTORABLE]
    assert buckets_over_time(listed) == [Bucket.AWAITING_SCREENING, Bucket.BLOCKED]
    waiting = Proposal.objects.filter(customer=acme).order_by("proposed_at", "pk").first()
    assert waiting.reasons[0] == {
        "rule": "not_screened",
        "fact": "Screening",
        "value": "not yet screened against the lists in force",
    }
    assert SubjectScreening.objects.filter(customer__in=[acme, listed]).count() == 2
    assert Hit.objects.filter(customer=listed).exists()
    assert run.screening_progress() == (2, 2)
    assert Event.objects.filter(verb="import_run.screened", target_id=str(run.pk)).get().after == {
        "subjects": 2,
        "screened": 2,
        "hits_changed": 1,
    }


def test_the_screening_is_queued_through_the_outbox_a_chunk_per_task_after_the_import(
    lists_in_force, import_file, monkeypatch
):
    monkeypatch.setattr(import_screening, "SUBJECTS_PER_TASK", 1)
    run = import_file("customers", BOOK)
    chunks = ImportScreeningChunk.objects.filter(run=run).order_by("pk")
    assert [(c.kind, c.size, c.screened) for c in chunks] == [("customer", 1, 1), ("customer", 1, 1)]
    messages = OutboxMessage.objects.filter(task=SCREEN_IMPORTED).order_by("pk")
    assert [m.args for m in messages] == [[c.pk] for c in chunks]
    # Queued with the import's end, after its own triage: each screening's re-triage comes after that.
    assert all(c.queued_at >= run.finished_at for c in chunks)


def test_seats_are_screened_and_triaged_again_too(lists_in_force, import_file):
    import_file("customers", BOOK)
    run = import_file("seats", SEATS)
    grace = Person.objects.get(external_id="U-1")
    assert SubjectScreening.objects.filter(person=grace).exists()
    assert run.screening_chunks.get().kind == ImportScreeningChunk.Kind.PERSON
    assert Proposal.objects.current().get(person=grace).bucket == Bucket.RESTORABLE


def test_with_no_list_in_force_nothing_waits_for_screening(import_file):
    run = import_file("customers", BOOK)
    acme = Customer.objects.get(external_id="B-1")
    assert buckets_over_time(acme) == [Bucket.RESTORABLE]
    assert run.screening_progress() == (2, 2)
    assert not SubjectScreening.objects.exists()


def test_importing_the_same_file_again_screens_nothing(lists_in_force, import_file):
    import_file("customers", BOOK)
    again = import_file("customers", BOOK)
    assert not again.screening_chunks.exists()
    assert again.screening_progress() == (0, 0)


def test_a_renamed_customer_is_screened_again_under_its_new_name(lists_in_force, import_file):
    import_file("customers", BOOK)
    renamed = BOOK.replace("Acme Robotics Inc.", "Acme Automation Inc.")
    run = import_file("customers", renamed)
    acme = Customer.objects.get(external_id="B-1")
    assert run.screening_chunks.get().subject_ids == [acme.pk]
    assert SubjectScreening.objects.get(customer=acme).names == ["Acme Automation Inc."]
    assert Proposal.objects.current().get(customer=acme).bucket == Bucket.RESTORABLE


def test_a_chunk_screened_twice_is_screened_once(lists_in_force, officer, django_capture_on_commit_callbacks):
    run = create_import_run(actor=officer, kind="customers", upload=upload(BOOK), dry_run=False)
    # The import alone, as if the broker had not yet delivered the screening's tasks.
    run_import(run.pk)
    chunk = run.screening_chunks.get()
    assert chunk.queued_at is not None and chunk.done_at is None
    assert Proposal.objects.current().get(customer__external_id="B-1").bucket == Bucket.AWAITING_SCREENING
    with django_capture_on_commit_callbacks(execute=True):
        assert screen_import_chunk(chunk.pk) == 2
    assert screen_import_chunk(chunk.pk) == 0
    assert Proposal.objects.current().get(customer__external_id="B-1").bucket == Bucket.RESTORABLE


def test_the_import_page_shows_the_screenings_progress(lists_in_force, import_file, client, officer):
    run = import_file("customers", BOOK)
    client.force_login(officer)
    page = client.get(reverse("restoration:import", args=[run.pk])).content.decode()
    assert "2 of 2 created or changed customers and seats screened" in page
    billing = client_with_token(issue_api_token(actor=None, name="billing-test", role=ClientRole.BILLING)[1])
    body = billing.get(f"/api/v1/restoration/imports/{run.pk}").json()
    assert body["screening"] == {"screened": 2, "total": 2}
    assert body["sha256"] == run.sha256 and len(run.sha256) == 64
