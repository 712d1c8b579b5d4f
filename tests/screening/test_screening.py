"""Screening customers, persons and parties when they change, and everyone when the lists change."""

import pytest
from django.db import transaction as db_transaction

from licensing.audit.models import Event
from licensing.cases.models import ApplicationParty, LicenceApplication
from licensing.cases.services.applications import remove_application_party, save_application_party
from licensing.parties.models import Customer, Person
from licensing.parties.services import save_customer, save_person
from licensing.screening.models import Hit, ListImport, Rescreen, RescreenBatch, SubjectScreening
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.screening.services.rescreen import run_batch, start_rescreen
from licensing.screening.services.screening import screen_subject
from licensing.screening.tasks import screen_unscreened_subjects

from ..factories import CustomerFactory, approved_determination, letter, transaction
from .conftest import DENIED_COMPANY, ENTITY_LISTED, import_csl, listed_rows


def new_customer(officer, name, external_id="C-1", **fields):
    customer, _ = save_customer(
        actor=officer,
        external_id=external_id,
        kind=Customer.Kind.ENTITY,
        legal_name=name,
        country_of_incorporation_id=fields.pop("country", "DE"),
        **fields,
    )
    return customer


def test_a_new_customer_with_a_listed_name_gets_a_hit_after_commit(listed, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Antasena Kreasi PT", country="ID")
    hit = Hit.objects.get(customer=customer)
    assert hit.status == Hit.Status.OPEN
    assert hit.entry.name == DENIED_COMPANY
    assert hit.entry.list_code == "DPL"
    assert hit.list_version == listed
    assert 0.8 <= hit.score <= 1
    assert any("country ID is on the entry" in reason for reason in hit.reasons)
    screening = SubjectScreening.objects.get(customer=customer)
    assert screening.versions == [listed.pk]
    assert Event.objects.filter(verb="screening.hit_opened", target_id=str(hit.pk)).exists()


def test_a_customer_with_an_unlisted_name_is_screened_without_a_hit(
    listed, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Universität Rheinland")
    assert SubjectScreening.objects.get(customer=customer).match_count == 0
    assert not Hit.objects.filter(customer=customer).exists()


def test_a_customer_renamed_to_a_listed_name_is_screened_again(listed, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new_customer(officer, "Universität Rheinland")
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Universität Rheinland", aliases=["Shenzhen Guoweichip Technology"])
    hit = Hit.objects.get(customer=customer)
    assert hit.entry.name == ENTITY_LISTED
    assert hit.subject_name == "Shenzhen Guoweichip Technology"


def test_nothing_is_screened_if_the_change_is_rolled_back(listed, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), db_transaction.atomic():
            new_customer(officer, DENIED_COMPANY)
            raise RuntimeError("the request failed after the save")
    assert callbacks == []
    assert not Hit.objects.exists()
    assert not SubjectScreening.objects.exists()


def test_a_person_is_screened_when_recorded(listed, officer, django_capture_on_commit_callbacks):
    employer = CustomerFactory(country_of_incorporation_id="US")
    with django_capture_on_commit_callbacks(execute=True):
        person = save_person(
            actor=officer,
            customer=employer,
            external_id="P-1",
            relationship=Person.Relationship.CUSTOMER_USER,
            given_name="Pejman",
            family_name="Kosarayanifard",
            location_country_id="AE",
        )
    hit = Hit.objects.get(person=person)
    assert hit.entry.name == "PEJMAN MAHMOOD KOSARAYANIFARD"
    assert any("not in the subject's name: mahmood" in reason for reason in hit.reasons)


def test_a_party_added_to_an_application_is_screened(
    listed, officer, item, django_capture_on_commit_callbacks, reviewer
):
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="DE", legal_name="Rheinland Robotics GmbH")
    screen_subject(customer)
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=listed.published_on)
    record = transaction(customer, item)
    application = LicenceApplication.objects.get(transaction=record)
    with django_capture_on_commit_callbacks(execute=True):
        party = save_application_party(
            actor=officer,
            application=application,
            role=ApplicationParty.Role.INTERMEDIATE_CONSIGNEE,
            name="Wellgo International Industrial Ltd",
            country_id="HK",
        )
    hit = Hit.objects.get(party=party)
    assert hit.entry.list_code == "EL"
    # The purchaser and end user copy the screened customer: they are not screened twice.
    assert not Hit.objects.filter(party__application=application).exclude(party=party).exists()
    # A party taken off the draft takes its screening with it.
    remove_application_party(actor=officer, application=application, party=party)
    assert not Hit.objects.filter(pk=hit.pk).exists()


def test_an_import_rescreens_everyone_in_batches_with_progress(
    db, officer, write_csl, django_capture_on_commit_callbacks
):
    denied = CustomerFactory(legal_name=DENIED_COMPANY, country_of_incorporation_id="ID")
    clean = CustomerFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=True):
        run = import_csl(write_csl(listed_rows()))
    assert run.status == ListImport.Status.IMPORTED
    rescreen = Rescreen.objects.get(version=run.version)
    assert rescreen.finished_at is not None
    assert rescreen.progress() == (5, 5)
    assert Hit.objects.get(customer=denied).entry.name == DENIED_COMPANY
    assert SubjectScreening.objects.filter(customer__in=clean, match_count=0).count() == 4
    assert Event.objects.filter(verb="screening.rescreen_finished", target_id=str(rescreen.pk)).exists()


def test_a_batch_run_twice_changes_nothing_the_second_time(listed, django_capture_on_commit_callbacks):
    CustomerFactory(legal_name=DENIED_COMPANY, country_of_incorporation_id="ID")
    rescreen = start_rescreen(reason="test", size=10)
    batch = RescreenBatch.objects.get(rescreen=rescreen, kind="customer")
    assert run_batch(batch.pk) == 1
    assert run_batch(batch.pk) == 0
    assert Hit.objects.count() == 1


def test_starting_a_rescreen_records_who_started_it_and_its_size(listed, officer, django_capture_on_commit_callbacks):
    CustomerFactory.create_batch(3)

    rescreen = start_rescreen(actor=officer, reason="requested by the officer", size=2)

    event = Event.objects.get(verb="screening.rescreen_started", target_id=str(rescreen.pk))
    assert event.actor == officer
    assert event.after == {"version": None, "subjects": rescreen.subjects, "batches": rescreen.batches.count()}
    assert rescreen.subjects >= 3


def _cleared(hit, officer, officer2):
    hit = adjudicate_hit(actor=officer, hit=hit, outcome="false_positive", reason="Different company, Jakarta")
    return adjudicate_hit(actor=officer2, hit=hit, outcome="clear")


def test_a_cleared_hit_stays_cleared_when_a_new_version_leaves_the_entry_unchanged(
    listed, officer, officer2, write_csl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Antasena Kreasi", country="ID")
    _cleared(Hit.objects.get(customer=customer), officer, officer2)
    rows = listed_rows()
    rows[0]["alt_names"] = "SINOBRIGHT TRADING"
    with django_capture_on_commit_callbacks(execute=True):
        newer = import_csl(write_csl(rows)).version
    hit = Hit.objects.get(customer=customer)
    assert hit.status == Hit.Status.CLEARED
    assert hit.list_version == newer


def test_a_cleared_hit_reopens_when_its_entry_changes(
    listed, officer, officer2, write_csl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Antasena Kreasi", country="ID")
    _cleared(Hit.objects.get(customer=customer), officer, officer2)
    rows = listed_rows()
    denied = next(r for r in rows if r["name"] == DENIED_COMPANY)
    denied["addresses"] = "ID; SG"
    with django_capture_on_commit_callbacks(execute=True):
        import_csl(write_csl(rows))
    hit = Hit.objects.get(customer=customer)
    assert hit.status == Hit.Status.OPEN
    reopened = Event.objects.filter(verb="screening.hit.reopen", target_id=str(hit.pk)).get()
    assert "addresses, countries" in reopened.reason


def test_an_open_hit_whose_entry_leaves_the_lists_is_flagged_and_keeps_holding(
    listed, officer, write_csl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Antasena Kreasi", country="ID")
    rows = [r for r in listed_rows() if r["name"] != DENIED_COMPANY]
    with django_capture_on_commit_callbacks(execute=True):
        import_csl(write_csl(rows))
    hit = Hit.objects.get(customer=customer)
    assert hit.status == Hit.Status.OPEN
    assert hit.flagged_at is not None


def test_a_cleared_hit_whose_entry_leaves_the_lists_is_closed(
    listed, officer, officer2, write_csl, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customer = new_customer(officer, "Antasena Kreasi", country="ID")
    _cleared(Hit.objects.get(customer=customer), officer, officer2)
    rows = [r for r in listed_rows() if r["name"] != DENIED_COMPANY]
    with django_capture_on_commit_callbacks(execute=True):
        import_csl(write_csl(rows))
    assert Hit.objects.get(customer=customer).status == Hit.Status.DELISTED


def test_screening_with_no_list_in_force_records_nothing(db, officer):
    customer = CustomerFactory(legal_name=DENIED_COMPANY)
    assert screen_subject(customer) is None
    assert not SubjectScreening.objects.exists()


def test_subjects_never_screened_are_caught_up(listed):
    missed = CustomerFactory(legal_name=DENIED_COMPANY, country_of_incorporation_id="ID")
    already = CustomerFactory(legal_name="Universität Rheinland")
    screen_subject(already)
    assert screen_unscreened_subjects.delay().get() == 1
    assert Hit.objects.get(customer=missed).entry.name == DENIED_COMPANY
    assert screen_unscreened_subjects.delay().get() == 0
