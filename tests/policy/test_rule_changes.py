"""Drafting, approving with a second administrator, and the day a change takes effect."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from licensing.api.access import ANSWERS, check_access
from licensing.audit.models import Event
from licensing.cases.models import Decision, Transaction
from licensing.policy import services
from licensing.policy.models import RuleChange, Simulation
from licensing.reference.models import RequirementRelaxation
from licensing.workflow.machine import ActorNotAllowed, IllegalTransition
from tests.factories import transaction as post_transaction


def relax_a1(admin, requirement) -> RuleChange:
    return services.draft_change(
        actor=admin,
        kind=RuleChange.Kind.RELAX_COUNTRY_GROUP,
        requirement=requirement,
        country_group_id="A:1",
        reason="BIS letter of 2 December: A:1 destinations no longer need a licence.",
    )


def simulated(admin, change, django_capture_on_commit_callbacks) -> RuleChange:
    with django_capture_on_commit_callbacks(execute=True):
        services.request_simulation(actor=admin, change=change)
    change.refresh_from_db()
    assert change.status == RuleChange.Status.SIMULATED
    return change


@pytest.fixture
def on_day(monkeypatch):
    """Move the services' clock (timezone.localdate) to a given day."""

    def move(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return move


def test_an_administrator_drafts_a_relaxation_which_no_decision_reads(
    admin_user, letter_for_foreign_persons, cases, item
):
    customer = cases.foreign_customer("DE")

    change = relax_a1(admin_user, letter_for_foreign_persons)

    assert change.status == RuleChange.Status.DRAFT
    assert not RequirementRelaxation.objects.exists()
    assert check_access(customer=customer.external_id, item=item.code).decision == Decision.LICENCE_REQUIRED
    assert Event.objects.filter(verb="rule_change.drafted", target_id=str(change.pk)).exists()


def test_an_officer_may_not_draft_a_rule_change(officer, letter_for_foreign_persons):
    with pytest.raises(PermissionDenied):
        relax_a1(officer, letter_for_foreign_persons)
    assert not RuleChange.objects.exists()


def test_a_draft_missing_what_its_kind_needs_is_refused_naming_the_field(admin_user, letter_for_foreign_persons):
    with pytest.raises(ValidationError) as refused:
        services.draft_change(
            actor=admin_user,
            kind=RuleChange.Kind.RELAX_COUNTRY_GROUP,
            requirement=letter_for_foreign_persons,
            reason="",
        )

    assert set(refused.value.message_dict) == {"country_group", "reason"}
    assert not RuleChange.objects.exists()


def test_a_change_is_approved_only_after_a_simulation(admin_user, admin2, letter_for_foreign_persons, today):
    change = relax_a1(admin_user, letter_for_foreign_persons)

    with pytest.raises(IllegalTransition):
        services.approve_change(actor=admin2, change=change, effective_on=today)


def test_whoever_drafted_a_change_may_not_approve_it(
    admin_user, letter_for_foreign_persons, today, django_capture_on_commit_callbacks
):
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)

    with pytest.raises(ActorNotAllowed, match="four eyes"):
        services.approve_change(actor=admin_user, change=change, effective_on=today)

    change.refresh_from_db()
    assert change.status == RuleChange.Status.SIMULATED
    assert not RequirementRelaxation.objects.exists()


def test_the_database_refuses_a_change_approved_by_its_drafter(admin_user, letter_for_foreign_persons, today):
    change = relax_a1(admin_user, letter_for_foreign_persons)

    with pytest.raises(IntegrityError), transaction.atomic():
        RuleChange.objects.filter(pk=change.pk).update(approved_by=admin_user, effective_on=today)


def test_a_change_cannot_take_effect_in_the_past(
    admin_user, admin2, letter_for_foreign_persons, today, django_capture_on_commit_callbacks
):
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError) as refused:
        services.approve_change(actor=admin2, change=change, effective_on=today - datetime.timedelta(days=1))

    assert "effective_on" in refused.value.message_dict


def test_an_approved_relaxation_changes_the_access_check_from_its_day_without_a_restart(
    admin_user, admin2, letter_for_foreign_persons, cases, item, today, on_day, django_capture_on_commit_callbacks
):
    german = cases.foreign_customer("DE")
    chinese = cases.foreign_customer("CN")
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)
    effective_on = today + datetime.timedelta(days=3)

    approved = services.approve_change(actor=admin2, change=change, effective_on=effective_on)

    assert approved.status == RuleChange.Status.APPROVED
    assert approved.relaxation.effective_from == effective_on
    # The day before: as before, and the answer is remembered beside its stamp.
    on_day(effective_on - datetime.timedelta(days=1))
    ANSWERS.clear()
    assert check_access(customer=german.external_id, item=item.code).decision == Decision.LICENCE_REQUIRED
    assert check_access(customer=german.external_id, item=item.code).decision == Decision.LICENCE_REQUIRED
    # Its day: nothing was written overnight, and yet the remembered answer does not outlive the day.
    on_day(effective_on)
    answer = check_access(customer=german.external_id, item=item.code)
    assert answer.decision == Decision.AUTHORISED
    assert answer.reasons[0] == (
        f"Requirement Is-informed letter does not apply: relaxed for Country Group A:1 from {effective_on} "
        f"by change #{change.pk}."
    )
    assert check_access(customer=chinese.external_id, item=item.code).decision == Decision.LICENCE_REQUIRED


def test_on_its_day_the_change_is_put_in_force_and_waiting_transactions_are_decided_again(
    admin_user, admin2, letter_for_foreign_persons, cases, item, today, on_day, django_capture_on_commit_callbacks
):
    waiting = post_transaction(cases.foreign_customer("DE"), item)
    assert waiting.decision == Decision.LICENCE_REQUIRED
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)
    effective_on = today + datetime.timedelta(days=1)
    services.approve_change(actor=admin2, change=change, effective_on=effective_on)
    assert services.put_due_changes_in_force(today=today) == 0

    on_day(effective_on)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.put_due_changes_in_force() == 1

    change.refresh_from_db()
    assert change.status == RuleChange.Status.IN_FORCE
    assert Transaction.objects.get(pk=waiting.pk).decision == Decision.AUTHORISED
    assert Event.objects.filter(verb="rule_change.put_in_force", target_id=str(change.pk)).exists()


def test_a_change_approved_for_today_is_in_force_at_once(
    admin_user, admin2, letter_for_foreign_persons, today, django_capture_on_commit_callbacks
):
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)

    approved = services.approve_change(actor=admin2, change=change, effective_on=today)

    assert approved.status == RuleChange.Status.IN_FORCE


def test_withdrawing_an_approved_change_before_its_day_removes_its_law_data(
    admin_user, admin2, letter_for_foreign_persons, today, django_capture_on_commit_callbacks
):
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)
    services.approve_change(actor=admin2, change=change, effective_on=today + datetime.timedelta(days=5))

    withdrawn = services.withdraw_change(actor=admin2, change=change, reason="BIS rescinded the letter.")

    assert withdrawn.status == RuleChange.Status.WITHDRAWN
    assert not RequirementRelaxation.objects.exists()


def test_a_simulation_is_kept_with_the_change(
    admin_user, letter_for_foreign_persons, cases, django_capture_on_commit_callbacks
):
    cases.foreign_customer("DE")
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)

    simulation = Simulation.objects.get(change=change)
    assert simulation.status == Simulation.Status.FINISHED
    assert simulation.chunks_done == simulation.chunks_total
    assert simulation.percent_done == 100
