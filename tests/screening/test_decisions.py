"""How screening bears on a transaction's decision."""

import pytest

from licensing.audit.models import Event
from licensing.cases.decision import Request, evaluate
from licensing.cases.facts import load_facts
from licensing.cases.models import Decision, LicenceApplication
from licensing.cases.rules import screening
from licensing.cases.services import applications, licences
from licensing.cases.services.transactions import decide_transaction
from licensing.parties.models import StatusRecord
from licensing.screening.models import Hit
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.screening.services.screening import screen_subject
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, PersonFactory, add_status, approved_determination, letter, transaction
from .conftest import DENIED_COMPANY, ENTITY_LISTED


@pytest.fixture
def world(listed, item, officer, reviewer):
    letter(item)

    def customer(name, country):
        subject = CustomerFactory(legal_name=name, country_of_incorporation_id=country)
        approved_determination(subject, preparer=officer, reviewer=reviewer, effective_on=listed.published_on)
        screen_subject(subject)
        return subject

    return customer


def test_an_open_hit_holds_the_transaction_pending_screening(world, item):
    record = transaction(world(DENIED_COMPANY, "ID"), item)
    assert record.decision == Decision.HOLD
    assert "pending screening" in record.decision_reasons[0]
    assert "Denied Persons List" in record.decision_reasons[0]


def test_a_customer_without_hits_is_decided_as_before(world, item):
    record = transaction(world("Universität Rheinland", "DE"), item)
    assert record.decision == Decision.LICENCE_REQUIRED


def test_a_confirmed_denied_person_is_refused(world, item, officer):
    customer = world(DENIED_COMPANY, "ID")
    adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="true_match", reason="Same company")
    record = transaction(customer, item)
    assert record.decision == Decision.REFUSED
    assert f"is {DENIED_COMPANY} on the Denied Persons List (DPL)" in record.decision_reasons[0]


def test_a_confirmed_entity_list_party_needs_a_licence_showing_the_requirement_and_policy(world, item, officer):
    customer = world(ENTITY_LISTED, "CN")
    adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="true_match", reason="Same company")
    record = transaction(customer, item, country="CN")
    assert record.decision == Decision.LICENCE_REQUIRED
    reason = record.decision_reasons[0]
    assert "Entity List (EL)" in reason
    assert "licence requirement: For all items subject to the EAR" in reason
    assert "licence review policy: Presumption of denial" in reason
    assert LicenceApplication.objects.filter(transaction=record).exists()


def test_an_entity_list_party_with_its_licence_is_authorised(today, world, item, officer, reviewer):
    customer = world(ENTITY_LISTED, "CN")
    adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="true_match", reason="Same company")
    record = transaction(customer, item, country="CN")
    application = LicenceApplication.objects.get(transaction=record)
    application = applications.update_application(
        actor=officer, application=application, signer_name="O. Officer", signer_title="Officer"
    )
    application = applications.submit_application_for_review(
        actor=officer, application=complete_application(application)
    )
    application = applications.approve_for_filing(actor=reviewer, application=application)
    application = applications.record_submission(actor=officer, application=application, control_number="Z123456")
    application = applications.record_registration(actor=officer, application=application)
    licences.record_approval(actor=officer, application=application, licence_number="D765432", valid_from=today)
    record = decide_transaction(actor=None, transaction_record=record)
    assert record.decision == Decision.AUTHORISED
    assert record.licence.number == "D765432"


def test_a_cleared_hit_no_longer_holds(world, item, officer, officer2):
    customer = world(DENIED_COMPANY, "ID")
    hit = Hit.objects.get(customer=customer)
    hit = adjudicate_hit(actor=officer, hit=hit, outcome="false_positive", reason="Another company")
    adjudicate_hit(actor=officer2, hit=hit, outcome="clear")
    assert transaction(customer, item).decision == Decision.LICENCE_REQUIRED


def test_a_customer_never_screened_is_held_while_lists_are_in_force(listed, item, officer, reviewer):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=listed.published_on)
    record = transaction(customer, item)
    assert record.decision == Decision.HOLD
    assert "not yet screened" in record.decision_reasons[0]


def test_screening_releases_a_transaction_held_for_it(
    listed, item, officer, reviewer, django_capture_on_commit_callbacks
):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=listed.published_on)
    record = transaction(customer, item)
    with django_capture_on_commit_callbacks(execute=True):
        screen_subject(customer)
    record.refresh_from_db()
    assert record.decision == Decision.LICENCE_REQUIRED


def test_confirming_a_match_decides_the_held_transaction_again(
    world, item, officer, django_capture_on_commit_callbacks
):
    customer = world(DENIED_COMPANY, "ID")
    record = transaction(customer, item)
    assert record.decision == Decision.HOLD
    with django_capture_on_commit_callbacks(execute=True):
        adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="true_match", reason="Same")
    record.refresh_from_db()
    assert record.decision == Decision.REFUSED


def test_a_hit_on_the_person_holds_a_deemed_export_to_them(today, world, item, officer, reviewer):
    lab = world("Great Lakes University AI Lab", "US")
    person = PersonFactory(customer=lab, employer=lab, given_name="Pejman", family_name="Kosarayanifard")
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "IR", "1980-01-01")
    approved_determination(person, preparer=officer, reviewer=reviewer, effective_on=today)
    screen_subject(person)
    record = transaction(lab, item, person=person, activity="deemed_export", country="US")
    assert record.decision == Decision.HOLD
    assert "PEJMAN MAHMOOD KOSARAYANIFARD" in record.decision_reasons[0]


def test_evaluating_a_hit_writes_nothing_and_asks_the_database_once(today, world, item, django_assert_num_queries):
    customer = world(DENIED_COMPANY, "ID")
    events, hits = Event.objects.count(), Hit.objects.count()
    request = Request(customer=customer, person=None, item=item, activity="export", destination_country="ID")
    evaluate(request, on=today)  # the connection prepares the statement on first use
    with django_assert_num_queries(1):
        outcome = evaluate(request, on=today)
        # The reasons name the hit, its entry and its list version from what was loaded.
        reasons = " ".join(outcome.reasons)
    assert outcome.decision == Decision.HOLD
    assert "pending screening" in reasons and "score" in reasons
    assert (Event.objects.count(), Hit.objects.count()) == (events, hits)


@pytest.mark.parametrize("with_list", [False, True])
def test_a_screened_customer_without_hits_costs_the_decision_one_query(
    today, with_list, request, item, django_assert_num_queries
):
    if with_list:
        request.getfixturevalue("listed")
    customer = CustomerFactory(legal_name="Universität Rheinland")
    screen_subject(customer)
    asked = Request(customer=customer, person=None, item=item, activity="export", destination_country="DE")
    evaluate(asked, on=today)  # the connection prepares the statement on first use
    with django_assert_num_queries(1):
        facts = load_facts(
            customer=customer.external_id,
            item=item.code,
            person=None,
            country="DE",
            activity="export",
            transaction_id=None,
            on=today,
        )
        assert screening(asked, facts) is None
