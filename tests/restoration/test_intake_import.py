"""The real import: written in chunks through the parties' bulk writers, idempotent, resumable, triaged at the end."""

import pytest
from django.core.exceptions import ValidationError

from licensing.audit.models import Event
from licensing.parties.models import Customer, CustomerAddress, Ownership, Person, StatusRecord
from licensing.restoration.models import Bucket, ImportRun, Proposal
from licensing.restoration.services import imports
from licensing.restoration.services.imports import create_import_run, run_import, start_import_run

from .intake_files import ADDRESSES, CUSTOMERS, OWNERSHIP, SEATS, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def import_file(officer, django_capture_on_commit_callbacks):
    def run(kind, text, name="book.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            created = create_import_run(actor=officer, kind=kind, upload=upload(text, name), dry_run=False)
        created.refresh_from_db()
        return created

    return run


def test_importing_the_book_writes_every_kind_and_triages_it(import_file):
    customers = import_file("customers", CUSTOMERS)
    assert (customers.status, customers.done, customers.total) == (ImportRun.Status.DONE, 3, 3)
    assert customers.counts == {"created": 3, "changed": 0, "unchanged": 0}
    assert Customer.objects.get(external_id="B-1").aliases == ["Acme", "Acme Bots"]
    seats = import_file("seats", SEATS)
    assert seats.status == ImportRun.Status.DONE
    grace = Person.objects.get(external_id="U-1")
    assert grace.customer.external_id == "B-1" and grace.employer_id == grace.customer_id
    assert StatusRecord.objects.filter(person=grace, kind="citizenship", country="US").exists()
    assert import_file("ownership", OWNERSHIP).status == ImportRun.Status.DONE
    assert Ownership.objects.filter(owned__external_id="B-1").count() == 2
    assert import_file("addresses", ADDRESSES).status == ImportRun.Status.DONE
    assert CustomerAddress.objects.count() == 2

    current = Proposal.objects.current()
    assert current.for_subject(grace).get().bucket == Bucket.RESTORABLE
    assert current.for_subject(Person.objects.get(external_id="U-2")).get().attribution_country_id == "GB"
    assert current.for_subject(Person.objects.get(external_id="U-3")).get().bucket == Bucket.NEEDS_ATTESTATION
    # B-1 is now 30% owned by a German company: it needs an attestation.
    assert current.for_subject(Customer.objects.get(external_id="B-1")).get().bucket == Bucket.NEEDS_ATTESTATION
    assert current.for_subject(Customer.objects.get(external_id="B-2")).get().bucket == Bucket.LICENCE_REQUIRED


def test_each_chunk_records_one_summary_event_not_one_per_row(import_file, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    import_file("customers", CUSTOMERS)
    bulk = Event.objects.filter(verb="parties.bulk_saved")
    assert bulk.count() == 2
    assert sorted(len(e.after["created_ids"]) for e in bulk) == [1, 2]
    assert not Event.objects.filter(verb="customer.created").exists()


def test_importing_the_same_files_again_changes_nothing(import_file):
    for kind, text in (("customers", CUSTOMERS), ("seats", SEATS), ("ownership", OWNERSHIP), ("addresses", ADDRESSES)):
        import_file(kind, text)
    snapshot = (
        list(Customer.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
        list(StatusRecord.objects.order_by("pk").values()),
        list(Ownership.objects.order_by("pk").values()),
        list(CustomerAddress.objects.order_by("pk").values()),
        list(Proposal.objects.order_by("pk").values()),
    )
    bulk_events = Event.objects.filter(verb="parties.bulk_saved").count()
    for kind, text in (("customers", CUSTOMERS), ("seats", SEATS), ("ownership", OWNERSHIP), ("addresses", ADDRESSES)):
        again = import_file(kind, text)
        assert again.status == ImportRun.Status.DONE
        assert again.counts["created"] == again.counts["changed"] == 0
        assert again.triaged == 0
    assert snapshot == (
        list(Customer.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
        list(StatusRecord.objects.order_by("pk").values()),
        list(Ownership.objects.order_by("pk").values()),
        list(CustomerAddress.objects.order_by("pk").values()),
        list(Proposal.objects.order_by("pk").values()),
    )
    assert Event.objects.filter(verb="parties.bulk_saved").count() == bulk_events


def test_a_changed_row_updates_only_that_customer(import_file):
    import_file("customers", CUSTOMERS)
    renamed = import_file("customers", CUSTOMERS.replace("Rhein Daten GmbH", "Rhein Daten AG"))
    assert renamed.counts == {"created": 0, "changed": 1, "unchanged": 2}
    assert Customer.objects.get(external_id="B-2").legal_name == "Rhein Daten AG"


def test_a_stopped_import_resumes_after_its_last_committed_chunk(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "CHUNK", 1)
    run = create_import_run(actor=officer, kind="customers", upload=upload(CUSTOMERS), dry_run=True)
    run = start_import_run(actor=officer, run=run)
    writes = []
    real_writer = imports.WRITERS["customers"]

    def dies_on_the_second_chunk(**kwargs):
        writes.append(kwargs["rows"][0]["external_id"])
        if len(writes) == 2:
            raise SystemExit("worker killed")
        return real_writer(**kwargs)

    monkeypatch.setitem(imports.WRITERS, "customers", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        run_import(run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, run.last_line) == (ImportRun.Status.RUNNING, 1, 2)
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["B-1"]

    monkeypatch.setitem(imports.WRITERS, "customers", real_writer)
    resumed = run_import(run.pk)
    assert (resumed.status, resumed.done) == (ImportRun.Status.DONE, 3)
    assert resumed.counts == {"created": 3, "changed": 0, "unchanged": 0}
    assert writes == ["B-1", "B-2"]
    assert Customer.objects.count() == 3


def test_running_a_finished_import_again_does_nothing(import_file):
    run = import_file("customers", CUSTOMERS)
    finished_at = run.finished_at
    assert run_import(run.pk).finished_at == finished_at
    assert Event.objects.filter(verb="import_run.finished").count() == 1


def test_a_dry_run_is_imported_when_started(officer, django_capture_on_commit_callbacks):
    run = create_import_run(actor=officer, kind="customers", upload=upload(CUSTOMERS), dry_run=True)
    assert not Customer.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        start_import_run(actor=officer, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and Customer.objects.count() == 3


def test_a_refused_file_cannot_be_started(officer):
    run = create_import_run(actor=officer, kind="customers", upload=upload("colour\nred\n"), dry_run=True)
    with pytest.raises(ValidationError):
        start_import_run(actor=officer, run=run)


def test_a_file_with_problems_is_not_imported_even_when_asked(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = create_import_run(
            actor=officer, kind="customers", upload=upload(CUSTOMERS + "B-9,entity,X,ZZ,,\n"), dry_run=False
        )
    assert run.status == ImportRun.Status.REFUSED
    assert not Customer.objects.exists()
