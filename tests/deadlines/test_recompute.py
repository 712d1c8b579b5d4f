"""Deadlines follow the case's events: each move recomputes them after it commits."""

import datetime

import pytest
from django.core.files.base import ContentFile

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication, SupportingDocument, SupportingDocumentKind
from licensing.cases.services import applications, correspondence, licences
from licensing.cases.services.transactions import decide_transaction
from licensing.deadlines.models import Deadline, Kind
from licensing.deadlines.recompute import recompute_case, recompute_determination, refresh_deadlines
from licensing.determinations.models import ForeignPersonDetermination
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, approved_determination
from .conftest import days, deadline_of

Status = Deadline.Status


def test_registration_starts_the_nine_day_and_ninety_day_clocks(today, filed, officer, reviewer, run_on_commit):
    registered = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(3)
    )
    bis = deadline_of(Kind.BIS_ACTION, registered)
    assert (bis.due_on, bis.status, bis.owner, bis.reviewer) == (today + days(6), Status.OPEN, officer, reviewer)
    assert bis.application == registered
    resolution = deadline_of(Kind.RESOLUTION, registered)
    assert (resolution.due_on, resolution.status) == (today + days(87), Status.OPEN)


def test_nothing_is_due_before_registration(filed):
    assert not Deadline.objects.filter(application=filed).exists()


def test_two_stops_push_the_ninety_day_clock_back(today, filed, officer, run_on_commit):
    registered_on = today - days(50)
    app = run_on_commit(applications.record_registration, actor=officer, application=filed, registered_on=registered_on)
    app = run_on_commit(
        correspondence.record_information_request,
        actor=officer,
        application=app,
        questions="The end user's address in Bonn",
        respond_by=registered_on + days(35),
        requested_on=registered_on + days(5),
    ).application
    app = run_on_commit(
        correspondence.record_information_supplied,
        actor=officer,
        application=app,
        supplied_on=registered_on + days(15),
    ).application
    for action, on in (
        ("record_pre_licence_check", registered_on + days(20)),
        ("record_referral", registered_on + days(32)),
    ):
        app = run_on_commit(applications.record_bis_action, actor=officer, application=app, action=action, on=on)
    resolution = deadline_of(Kind.RESOLUTION, app)
    assert resolution.stopped_days == 22
    assert (resolution.due_on, resolution.status, resolution.paused_since) == (
        registered_on + days(112),
        Status.OPEN,
        None,
    )
    assert deadline_of(Kind.BIS_ACTION, app).status == Status.MET
    agencies = deadline_of(Kind.AGENCY_RECOMMENDATION, app)
    assert (agencies.due_on, agencies.status) == (registered_on + days(62), Status.OPEN)


def test_an_intent_to_deny_opens_the_response_and_finality_clocks(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(30)
    )
    app = run_on_commit(
        applications.record_bis_action,
        actor=officer,
        application=app,
        action="record_intent_to_deny",
        on=today - days(18),
    )
    response = deadline_of(Kind.INTENT_TO_DENY_RESPONSE, app)
    assert (response.due_on, response.status) == (today + days(2), Status.OPEN)
    final = deadline_of(Kind.DENIAL_FINAL, app)
    assert (final.due_on, final.status) == (today + days(27), Status.OPEN)
    resolution = deadline_of(Kind.RESOLUTION, app)
    assert resolution.paused_since == today - days(18)
    assert deadline_of(Kind.BIS_ACTION, app).status == Status.MISSED


def test_a_missed_clock_is_entered_in_the_event_log_once(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(12)
    )
    missed = deadline_of(Kind.BIS_ACTION, app)
    assert missed.status == Status.MISSED
    recompute_case(application_id=app.pk)
    recompute_case(application_id=app.pk, today=today + days(1))
    events = Event.objects.for_target(missed).filter(verb="deadline.missed")
    assert events.count() == 1
    assert events.get().after["due_on"] == (today - days(3)).isoformat()


def test_recomputing_an_unchanged_case_writes_nothing(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(3)
    )
    before = list(Deadline.objects.filter(application=app).values_list("pk", "updated_at"))
    events = Event.objects.count()
    recompute_case(application_id=app.pk)
    assert list(Deadline.objects.filter(application=app).values_list("pk", "updated_at")) == before
    assert Event.objects.count() == events


def test_issuing_a_licence_opens_its_expiry_moved_off_a_holiday_but_no_retention_clock_while_it_runs(
    today, filed, officer, run_on_commit
):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(20)
    )
    licence = run_on_commit(
        licences.record_approval,
        actor=officer,
        application=app,
        licence_number="D200001",
        valid_from=datetime.date(2026, 11, 1),
        valid_until=datetime.date(2030, 12, 25),
    )
    expiry = deadline_of(Kind.LICENCE_EXPIRY, licence)
    # Christmas 2030 is a Wednesday: expiry moves to Thursday the 26th.
    assert (expiry.due_on, expiry.status, expiry.owner) == (datetime.date(2030, 12, 26), Status.OPEN, officer)
    # 762.6 counts from the end of the transaction, which a licence still in force has not reached.
    assert not Deadline.objects.filter(application=app, kind=Kind.RECORD_RETENTION).exists()
    assert deadline_of(Kind.RESOLUTION, app).status == Status.MET


def test_revoking_a_licence_cancels_its_expiry(today, filed, officer, reviewer, run_on_commit):
    app = run_on_commit(applications.record_registration, actor=officer, application=filed, registered_on=today)
    licence = run_on_commit(
        licences.record_approval, actor=officer, application=app, licence_number="D200002", valid_from=today
    )
    run_on_commit(licences.change_licence_status, actor=reviewer, licence=licence, action="revoke", reason="750.8")
    expiry = deadline_of(Kind.LICENCE_EXPIRY, licence)
    assert (expiry.status, expiry.settled_on) == (Status.CANCELLED, today)


def test_withdrawal_cancels_the_open_clocks(today, filed, officer, reviewer, run_on_commit):
    app = run_on_commit(applications.record_registration, actor=officer, application=filed, registered_on=today)
    run_on_commit(applications.record_bis_action, actor=reviewer, application=app, action="withdraw", reason="No deal")
    assert set(Deadline.objects.filter(application=app).values_list("kind", "status")) == {
        (Kind.BIS_ACTION, Status.CANCELLED),
        (Kind.RESOLUTION, Status.CANCELLED),
        (Kind.RECORD_RETENTION, Status.OPEN),
    }


def test_a_resubmission_meets_the_clock_of_the_returned_application(today, filed, officer, reviewer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(10)
    )
    returned = run_on_commit(
        applications.record_bis_action,
        actor=officer,
        application=app,
        action="record_return_without_action",
        reason="Missing technology control plan",
        on=today - days(8),
    )
    clock = deadline_of(Kind.RWA_RESUBMISSION, returned)
    assert (clock.due_on, clock.status) == (today + days(22), Status.OPEN)
    run_on_commit(decide_transaction, actor=None, transaction_record=returned.transaction)
    again = LicenceApplication.objects.filter(transaction=returned.transaction).open().get()
    again = applications.update_application(
        actor=officer, application=again, signer_name="Olivia Officer", signer_title="Compliance officer"
    )
    again = applications.submit_application_for_review(
        actor=officer, application=complete_application(again, upload=False)
    )
    again = applications.approve_for_filing(actor=reviewer, application=again)
    run_on_commit(applications.record_submission, actor=officer, application=again, control_number="Z100002")
    clock.refresh_from_db()
    assert (clock.status, clock.settled_on) == (Status.MET, today)


def _bis_711(application, officer, signed_on):
    return SupportingDocument.objects.create(
        application=application,
        kind=SupportingDocumentKind.FORM_711,
        file=ContentFile(b"%PDF-1.4 statement", name="bis711.pdf"),
        token="t" * 32,
        original_name="bis711.pdf",
        signed_on=signed_on,
        uploaded_by=officer,
    )


def test_a_bis_711_is_first_filed_within_a_year_and_later_within_four(today, filed, officer, reviewer, item):
    statement = _bis_711(filed, officer, signed_on=today - days(200))
    recompute_case(application_id=filed.pk)
    first = deadline_of(Kind.BIS_711_FIRST_FILING, statement)
    # Filed 60 days ago, 140 days after signature: well inside the year.
    assert (first.status, first.settled_on) == (Status.MET, today - days(60))

    from licensing.cases.models import Transaction

    second_record = Transaction.objects.create(
        external_id="TX-second",
        customer=filed.customer,
        item=item,
        activity=filed.transaction.activity,
        destination_country_id="DE",
        requested_at=filed.transaction.requested_at,
    )
    decide_transaction(actor=None, transaction_record=second_record)
    draft = LicenceApplication.objects.get(transaction=second_record)
    reuse = _bis_711(draft, officer, signed_on=statement.signed_on)
    recompute_case(application_id=draft.pk)
    later = deadline_of(Kind.BIS_711_LATER_FILING, reuse)
    assert (later.due_on, later.status) == (
        statement.signed_on.replace(year=statement.signed_on.year + 4),
        Status.OPEN,
    )


def test_an_unfiled_bis_711_past_its_year_is_missed(today, filed, officer):
    statement = _bis_711(filed, officer, signed_on=today - days(500))
    recompute_case(application_id=filed.pk)
    first = deadline_of(Kind.BIS_711_FIRST_FILING, statement)
    # Filed 60 days ago, 440 days after signature.
    assert (first.status, first.settled_on) == (Status.MISSED, today - days(60))


def test_approving_a_determination_opens_its_review_and_the_next_approval_meets_it(
    today, officer, reviewer, run_on_commit
):
    customer = CustomerFactory(country_of_incorporation_id="DE")
    first = run_on_commit(
        approved_determination,
        customer,
        preparer=officer,
        reviewer=reviewer,
        effective_on=today - days(10),
        review_by=today + days(20),
    )
    review = deadline_of(Kind.DETERMINATION_REVIEW, first)
    assert (review.due_on, review.status, review.owner, review.reviewer) == (
        today + days(20),
        Status.OPEN,
        officer,
        reviewer,
    )
    run_on_commit(approved_determination, customer, preparer=officer, reviewer=reviewer, effective_on=today)
    review.refresh_from_db()
    assert (review.status, review.settled_on) == (Status.MET, today)
    assert Deadline.objects.filter(kind=Kind.DETERMINATION_REVIEW, status=Status.OPEN).count() == 1


def test_a_determination_past_its_review_date_is_missed_by_the_daily_refresh(today, officer, reviewer):
    customer = CustomerFactory(country_of_incorporation_id="DE")
    determination = ForeignPersonDetermination.objects.create(
        customer=customer,
        status=ForeignPersonDetermination.Status.APPROVED,
        effective_on=today - days(400),
        review_by=today - days(35),
        prepared_by=officer,
        approved_by=reviewer,
    )
    assert refresh_deadlines() >= 1
    review = deadline_of(Kind.DETERMINATION_REVIEW, determination)
    assert (review.status, review.settled_on) == (Status.MISSED, None)
    assert recompute_determination(determination_id=determination.pk)[0].pk == review.pk


def test_the_refresh_moves_a_stopped_clock_day_by_day(today, filed, officer, run_on_commit):
    app = run_on_commit(
        applications.record_registration, actor=officer, application=filed, registered_on=today - days(10)
    )
    run_on_commit(
        correspondence.record_information_request,
        actor=officer,
        application=app,
        questions="The technology control plan",
        respond_by=today + days(26),
        requested_on=today - days(4),
    )
    resolution = deadline_of(Kind.RESOLUTION, app)
    assert resolution.due_on == today + days(84)
    refresh_deadlines(today=today + days(1), lapsed_only=True)
    resolution.refresh_from_db()
    assert (resolution.due_on, resolution.paused_since) == (today + days(85), today - days(4))


@pytest.mark.parametrize("missing", [0, 10**9])
def test_recomputing_a_record_that_does_not_exist_does_nothing(db, missing):
    assert recompute_case(application_id=missing) == []
    assert recompute_determination(determination_id=missing) == []
