import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from licensing.audit.models import Event
from licensing.determinations import services
from licensing.determinations.models import ForeignPersonDetermination
from licensing.determinations.workflow import DETERMINATION_MACHINE
from licensing.parties.models import StatusRecord
from licensing.parties.status import Basis, Outcome
from licensing.workflow.machine import ActorNotAllowed, IllegalTransition, ReasonRequired

from ..factories import CustomerFactory, PersonFactory, add_status

Status = ForeignPersonDetermination.Status


@pytest.fixture
def dual_national(db):
    person = PersonFactory()
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "RU", "1990-01-10")
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "IL", "2015-06-01")
    return person


@pytest.fixture
def in_review(today, dual_national, officer):
    draft = services.prepare_determination(actor=officer, subject=dual_national, effective_on=today)
    return services.submit_determination(actor=officer, determination=draft)


def test_preparing_computes_outcome_and_attribution_from_the_history(today, dual_national, officer):
    draft = services.prepare_determination(actor=officer, subject=dual_national, effective_on=today)
    assert (draft.outcome, draft.basis) == (Outcome.FOREIGN_PERSON, Basis.FOREIGN_CITIZENSHIP)
    assert draft.attribution_country_id == "IL"
    assert draft.itar_countries == ["IL", "RU"]
    assert draft.review_by == today + datetime.timedelta(days=365)
    assert Event.objects.for_target(draft).get().verb == "determination.prepared"


def test_a_person_with_no_recorded_nationality_cannot_be_determined(today, officer):
    person = PersonFactory()
    with pytest.raises(ValidationError, match="no citizenship or permanent residency"):
        services.prepare_determination(actor=officer, subject=person, effective_on=today)
    assert not ForeignPersonDetermination.objects.exists()


def test_two_statuses_acquired_the_same_day_are_refused(today, officer):
    person = PersonFactory()
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "FR", "2000-01-01")
    add_status(person, StatusRecord.Kind.PERMANENT_RESIDENCY, "CH", "2000-01-01")
    with pytest.raises(ValidationError, match="same day"):
        services.prepare_determination(actor=officer, subject=person, effective_on=today)


def test_auditor_cannot_prepare_a_determination(today, dual_national, auditor):
    with pytest.raises(PermissionDenied):
        services.prepare_determination(actor=auditor, subject=dual_national, effective_on=today)


def test_reviewer_approves_what_an_officer_prepared(in_review, officer, reviewer):
    approved = services.approve_determination(actor=reviewer, determination=in_review)
    assert approved.status == Status.APPROVED
    assert (approved.prepared_by, approved.approved_by) == (officer, reviewer)
    event = Event.objects.for_target(approved).get(verb="determination.approve")
    assert (event.actor, event.before, event.after) == (reviewer, {"status": "in_review"}, {"status": "approved"})


def test_nobody_approves_their_own_determination(today, dual_national, reviewer):
    draft = services.prepare_determination(actor=reviewer, subject=dual_national, effective_on=today)
    submitted = services.submit_determination(actor=reviewer, determination=draft)
    with pytest.raises(ActorNotAllowed, match="four eyes"):
        services.approve_determination(actor=reviewer, determination=submitted)
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_REVIEW
    assert not Event.objects.filter(verb="determination.approve").exists()


def test_an_officer_may_not_approve(in_review, officer2):
    with pytest.raises(ActorNotAllowed, match="role does not allow"):
        services.approve_determination(actor=officer2, determination=in_review)


def test_a_draft_cannot_be_approved(today, dual_national, officer, reviewer):
    draft = services.prepare_determination(actor=officer, subject=dual_national, effective_on=today)
    with pytest.raises(IllegalTransition, match="it is draft"):
        services.approve_determination(actor=reviewer, determination=draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_rejection_needs_a_reason(in_review, reviewer):
    with pytest.raises(ReasonRequired):
        services.reject_determination(actor=reviewer, determination=in_review, reason="  ")
    rejected = services.reject_determination(actor=reviewer, determination=in_review, reason="Passport expired")
    assert rejected.status == Status.REJECTED
    assert Event.objects.for_target(rejected).get(verb="determination.reject").reason == "Passport expired"


def test_a_new_approval_supersedes_the_old_one(today, dual_national, in_review, officer, reviewer):
    first = services.approve_determination(actor=reviewer, determination=in_review)
    later = services.prepare_determination(actor=officer, subject=dual_national, effective_on=today)
    later = services.submit_determination(actor=officer, determination=later)
    second = services.approve_determination(actor=reviewer, determination=later)
    first.refresh_from_db()
    assert (first.status, second.status) == (Status.SUPERSEDED, Status.APPROVED)
    assert ForeignPersonDetermination.objects.for_subject(dual_national).approved().get() == second
    assert Event.objects.for_target(first).get(verb="determination.supersede").actor_label == "system"


def test_the_database_refuses_a_second_approved_determination(today, dual_national, in_review, officer, reviewer):
    services.approve_determination(actor=reviewer, determination=in_review)
    with pytest.raises(IntegrityError), transaction.atomic():
        ForeignPersonDetermination.objects.create(
            person=dual_national,
            status=Status.APPROVED,
            outcome=Outcome.FOREIGN_PERSON,
            basis=Basis.FOREIGN_CITIZENSHIP,
            effective_on=today,
            review_by=today + datetime.timedelta(days=10),
            prepared_by=officer,
            approved_by=reviewer,
        )
    assert ForeignPersonDetermination.objects.for_subject(dual_national).approved().count() == 1


def test_the_database_refuses_self_approval(today, dual_national, officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        ForeignPersonDetermination.objects.create(
            person=dual_national,
            status=Status.APPROVED,
            outcome=Outcome.FOREIGN_PERSON,
            basis=Basis.FOREIGN_CITIZENSHIP,
            effective_on=today,
            review_by=today + datetime.timedelta(days=10),
            prepared_by=officer,
            approved_by=officer,
        )


def test_supersession_is_not_offered_to_users(in_review, reviewer, officer):
    approved = services.approve_determination(actor=reviewer, determination=in_review)
    assert DETERMINATION_MACHINE.available_transitions(approved, reviewer) == []
    with pytest.raises(ActorNotAllowed, match="system only"):
        DETERMINATION_MACHINE.apply(approved, "supersede", actor=reviewer)


def test_available_transitions_follow_role_and_four_eyes(in_review, officer, reviewer, legal):
    assert [t.name for t in DETERMINATION_MACHINE.available_transitions(in_review, reviewer)] == [
        "approve",
        "reject",
        "return_to_preparer",
    ]
    # The preparer may not approve or reject their own work, nor may legal staff.
    assert DETERMINATION_MACHINE.available_transitions(in_review, officer) == []
    assert DETERMINATION_MACHINE.available_transitions(in_review, legal) == []


def test_an_entity_is_assessed_by_where_it_is_organised(today, officer):
    us = services.prepare_determination(
        actor=officer, subject=CustomerFactory(country_of_incorporation_id="US"), effective_on=today
    )
    jp = services.prepare_determination(
        actor=officer, subject=CustomerFactory(country_of_incorporation_id="JP"), effective_on=today
    )
    assert (us.outcome, us.basis, us.attribution_country_id) == (Outcome.US_PERSON, Basis.US_ORGANISATION, None)
    assert (jp.outcome, jp.attribution_country_id) == (Outcome.FOREIGN_PERSON, "JP")
