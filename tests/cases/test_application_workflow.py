import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication
from licensing.cases.services import applications, correspondence, licences
from licensing.cases.services.transactions import decide_transaction
from licensing.cases.workflow import APPLICATION_MACHINE, LICENCE_MACHINE
from licensing.workflow.machine import ActorNotAllowed, IllegalTransition, ReasonRequired
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, approved_determination, letter, transaction

Status = LicenceApplication.Status


@pytest.fixture
def draft(today, officer, reviewer, item):
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    record = transaction(customer, item)
    application = LicenceApplication.objects.get(transaction=record)
    return applications.update_application(
        actor=officer, application=application, signer_name="Olivia Officer", signer_title="Compliance officer"
    )


@pytest.fixture
def in_review(draft, officer):
    return applications.submit_application_for_review(actor=officer, application=complete_application(draft))


@pytest.fixture
def registered(in_review, officer, reviewer):
    application = applications.approve_for_filing(actor=reviewer, application=in_review)
    application = applications.record_submission(actor=officer, application=application, control_number="z123456")
    return applications.record_registration(actor=officer, application=application)


def test_the_full_path_to_a_licence(today, registered, officer):
    assert registered.snapr_control_number == "Z123456"
    assert registered.registered_on == today
    licence = licences.record_approval(
        actor=officer, application=registered, licence_number="d123456", valid_from=datetime.date(2026, 11, 28)
    )
    registered.refresh_from_db()
    assert registered.status == Status.APPROVED
    assert licence.number == "D123456"
    # Four years on is Thanksgiving 2030 (28 November), a federal holiday: expiry moves to the Friday.
    assert licence.valid_until == datetime.date(2030, 11, 29)
    verbs = list(Event.objects.for_target(registered).values_list("verb", flat=True))
    assert verbs == [
        "application.created",
        "application.updated",
        "application.submit_for_review",
        "application.approve_for_filing",
        "application.mark_submitted",
        "application.record_registration",
        "application.record_approval",
    ]


def test_conditions_make_an_approval_with_conditions(today, registered, officer):
    licence = licences.record_approval(
        actor=officer,
        application=registered,
        licence_number="D123457",
        valid_from=today,
        conditions=["No release to employees of D:5 nationality", "  "],
    )
    registered.refresh_from_db()
    assert registered.status == Status.APPROVED_WITH_CONDITIONS
    assert list(licence.conditions.values_list("text", flat=True)) == ["No release to employees of D:5 nationality"]


def test_reviewer_cannot_approve_own_application_for_filing(draft, reviewer):
    mine = applications.submit_application_for_review(actor=reviewer, application=complete_application(draft))
    with pytest.raises(ActorNotAllowed, match="four eyes"):
        applications.approve_for_filing(actor=reviewer, application=mine)
    mine.refresh_from_db()
    assert (mine.status, mine.approved_for_filing_by) == (Status.IN_REVIEW, None)


def test_an_officer_cannot_approve_for_filing(in_review, officer2):
    with pytest.raises(ActorNotAllowed):
        applications.approve_for_filing(actor=officer2, application=in_review)


def test_a_draft_cannot_be_filed(draft, officer):
    with pytest.raises(IllegalTransition, match="it is draft"):
        applications.record_submission(actor=officer, application=draft, control_number="Z123456")
    draft.refresh_from_db()
    assert (draft.status, draft.snapr_control_number) == (Status.DRAFT, "")


def test_an_incomplete_application_cannot_go_to_review(draft, officer):
    applications.update_application(actor=officer, application=draft, signer_name="")
    with pytest.raises(ValidationError, match="25 Signature"):
        applications.submit_application_for_review(actor=officer, application=draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_malformed_control_number_is_refused(in_review, officer, reviewer):
    approved = applications.approve_for_filing(actor=reviewer, application=in_review)
    with pytest.raises(ValidationError) as error:
        applications.record_submission(actor=officer, application=approved, control_number="12345")
    assert "snapr_control_number" in error.value.message_dict
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED_FOR_FILING


def test_only_drafts_can_be_edited(in_review, officer):
    with pytest.raises(ValidationError, match="only a draft can be edited"):
        applications.update_application(actor=officer, application=in_review, special_purpose="x")


def test_unknown_fields_are_refused(draft, officer):
    with pytest.raises(ValidationError) as error:
        applications.update_application(actor=officer, application=draft, status="approved")
    assert "status" in error.value.message_dict


def test_denial_needs_a_reason(registered, officer):
    with pytest.raises(ReasonRequired):
        applications.record_bis_action(actor=officer, application=registered, action="record_denial")
    denied = applications.record_bis_action(
        actor=officer, application=registered, action="record_denial", reason="Presumption of denial"
    )
    assert denied.status == Status.DENIED


def test_a_denied_application_cannot_be_approved(today, registered, officer):
    applications.record_bis_action(actor=officer, application=registered, action="record_denial", reason="No")
    with pytest.raises(IllegalTransition):
        licences.record_approval(actor=officer, application=registered, licence_number="D000001", valid_from=today)
    assert not Licence.objects.exists()


def test_information_request_stops_and_resumes(today, registered, officer):
    request = correspondence.record_information_request(
        actor=officer, application=registered, questions="End-user address", respond_by=today + datetime.timedelta(30)
    )
    assert request.application.status == Status.INFORMATION_REQUESTED
    answered = correspondence.record_information_supplied(actor=officer, application=request.application)
    assert answered.application.status == Status.REGISTERED
    assert answered.answered_on == today


def test_returned_without_action_leads_to_a_resubmission_citing_it(registered, officer):
    applications.record_bis_action(
        actor=officer, application=registered, action="record_return_without_action", reason="Missing TCP"
    )
    decide_transaction(actor=None, transaction_record=registered.transaction)
    resubmission = LicenceApplication.objects.filter(transaction=registered.transaction).open().get()
    assert resubmission.resubmission_control_number == "Z123456"
    assert "Resubmission of application Z123456" in resubmission.additional_information


def test_every_status_in_the_table_is_reachable_from_draft():
    reachable, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        for target in APPLICATION_MACHINE.targets_from(frontier.pop()) - reachable:
            reachable.add(target)
            frontier.append(target)
    assert reachable == set(Status.values)


def test_licence_suspension_revocation_and_expiry(today, registered, officer, reviewer):
    licence = licences.record_approval(
        actor=officer, application=registered, licence_number="D000007", valid_from=today
    )
    with pytest.raises(ActorNotAllowed):
        licences.change_licence_status(actor=officer, licence=licence, action="suspend", reason="PLC pending")
    suspended = licences.change_licence_status(actor=reviewer, licence=licence, action="suspend", reason="PLC")
    assert suspended.status == Licence.Status.SUSPENDED
    revoked = licences.change_licence_status(actor=reviewer, licence=suspended, action="revoke", reason="750.8")
    assert revoked.status == Licence.Status.REVOKED
    with pytest.raises(IllegalTransition):
        licences.change_licence_status(actor=reviewer, licence=revoked, action="reinstate", reason="x")
    assert LICENCE_MACHINE.available_transitions(revoked, reviewer) == []


def test_lapsed_licences_expire(today, registered, officer):
    licence = licences.record_approval(
        actor=officer,
        application=registered,
        licence_number="D000008",
        valid_from=datetime.date(2020, 1, 2),
        valid_until=datetime.date(2024, 1, 2),
        authorised_value=Decimal("10"),
    )
    assert licences.expire_licences(on=today) == 1
    licence.refresh_from_db()
    assert licence.status == Licence.Status.EXPIRED
    assert licences.expire_licences(on=today) == 0
