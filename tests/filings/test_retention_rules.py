"""15 CFR 762.6 as a table of cases: the case's record, its deadline and the legal package state one date."""

import datetime
import json
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.cases.services import applications
from licensing.cases.services.usage import record_usage
from licensing.deadlines.models import Deadline, Kind
from licensing.deadlines.recompute import recompute_case
from licensing.filings.models import RetentionRecord
from licensing.filings.retention import years_after
from licensing.filings.services.packages import request_export_package
from licensing.filings.services.retention import record_known_transfer, refresh_retention
from licensing.filings.storage import media_path

from ..factories import letter, transaction
from .conftest import approve, german_customer

Basis = RetentionRecord.Basis
DAY = datetime.timedelta(days=1)


def moved_back(application: LicenceApplication, days: int) -> None:
    """The case's export was requested `days` ago (cases are built today; the rule reads the recorded dates)."""
    Transaction.objects.filter(pk=application.transaction_id).update(
        requested_at=timezone.now() - datetime.timedelta(days=days)
    )


def returned_not_required_then_reexported(*, today, draft, officer, reviewer, legal, **_):
    """BIS said no licence was needed; the items went, and the consignee later reported a reexport."""
    moved_back(draft, 420)
    application = approve(draft, officer, reviewer)
    application = applications.record_submission(
        actor=officer, application=application, control_number="Z100001", submitted_on=today - 415 * DAY
    )
    application = applications.record_registration(
        actor=officer, application=application, registered_on=today - 410 * DAY
    )
    applications.record_bis_action(
        actor=officer,
        application=application,
        action="record_return_not_required",
        reason="No licence required for this release",
        on=today - 400 * DAY,
    )
    record_known_transfer(
        actor=legal, application=application, transferred_on=today - 10 * DAY, reason="Consignee's reexport notice"
    )
    return application


def expired_licence_then_reexported(*, today, licensed, legal, **_):
    """The licence ran out; a reexport the consignee reported after that moves the five years on."""
    moved_back(licensed, 200)
    Licence.objects.filter(application=licensed).update(
        status=Licence.Status.EXPIRED, valid_from=today - 190 * DAY, valid_until=today - 100 * DAY
    )
    record_known_transfer(
        actor=legal, application=licensed, transferred_on=today - 5 * DAY, reason="Transfer to Köln reported"
    )
    return licensed


def one_transaction_used(*, today, licensed, officer, **_):
    """The letter wanted a licence per transaction: its one use ends the transaction, the licence still valid."""
    assert licensed.one_transaction
    licence = Licence.objects.get(application=licensed)
    Transaction.objects.filter(pk=licensed.transaction_id).update(licence=licence)
    record_usage(
        actor=officer,
        licence=licence,
        transaction_record=Transaction.objects.get(pk=licensed.transaction_id),
        quantity=Decimal("3"),
        used_on=today,
    )
    return licensed


def many_transactions_running(*, today, licensed, officer, **_):
    """A licence for many transactions, used once and still valid: the transaction runs on."""
    LicenceApplication.objects.filter(pk=licensed.pk).update(one_transaction=False)
    licence = Licence.objects.get(application=licensed)
    Transaction.objects.filter(pk=licensed.transaction_id).update(licence=licence)
    record_usage(
        actor=officer,
        licence=licence,
        transaction_record=Transaction.objects.get(pk=licensed.transaction_id),
        quantity=Decimal("1"),
        used_on=today,
    )
    return licensed


def expired_on_a_leap_day(*, licensed, **_):
    """The licence's last valid day was 29 February 2024; 2029 has no 29 February."""
    Transaction.objects.filter(pk=licensed.transaction_id).update(
        requested_at=datetime.datetime(2023, 6, 1, 12, tzinfo=datetime.UTC)
    )
    Licence.objects.filter(application=licensed).update(
        status=Licence.Status.EXPIRED, valid_from=datetime.date(2023, 1, 3), valid_until=datetime.date(2024, 2, 29)
    )
    return licensed


# (case, the day the transaction ended, the day the five years count from, the basis), days from today as offsets.
CASES = {
    "returned as not required, then a known reexport": (
        returned_not_required_then_reexported,
        -400,
        -10,
        Basis.TRANSFER,
    ),
    "licence expired, then a known reexport": (expired_licence_then_reexported, -100, -5, Basis.TRANSFER),
    "one transaction, its use recorded, licence still valid": (one_transaction_used, 0, 0, Basis.END_OF_TRANSACTION),
    "many transactions, licence still running": (many_transactions_running, None, None, ""),
    "licence expired on 29 February": (
        expired_on_a_leap_day,
        datetime.date(2024, 2, 29),
        datetime.date(2024, 2, 29),
        Basis.END_OF_TRANSACTION,
    ),
}


def day_of(value, today):
    if value is None or isinstance(value, datetime.date):
        return value
    return today + value * DAY


@pytest.fixture
def case(request, today, officer, reviewer, legal):
    """Build the named case only when asked: `licensed` and `draft` are each a fresh case."""

    def build(name):
        builder = CASES[name][0]
        fixture = "draft" if builder is returned_not_required_then_reexported else "licensed"
        application = request.getfixturevalue(fixture)
        built = builder(today=today, officer=officer, reviewer=reviewer, legal=legal, **{fixture: application})
        return LicenceApplication.objects.get(pk=built.pk)

    return build


@pytest.mark.parametrize("name", CASES)
def test_the_record_keeps_each_case_five_years_from_the_latest_of_its_dates(name, case, today):
    _, ended, starts, basis = CASES[name]
    application = case(name)
    record = refresh_retention(application=application)
    assert record.transaction_ended_on == day_of(ended, today)
    starts_on = day_of(starts, today)
    assert record.destroy_after_on == (years_after(starts_on) if starts_on else None)
    assert record.basis == basis


def test_a_leap_day_end_is_kept_until_the_first_of_march_five_years_on(case):
    record = refresh_retention(application=case("licence expired on 29 February"))
    assert record.destroy_after_on == datetime.date(2029, 3, 1)


def test_a_known_reexport_after_the_export_moves_the_deadline_with_the_record(case, today):
    application = case("licence expired, then a known reexport")
    recompute_case(application_id=application.pk, today=today)
    deadline = Deadline.objects.get(application=application, kind=Kind.RECORD_RETENTION)
    record = RetentionRecord.objects.get(application=application)
    assert (deadline.starts_on, deadline.due_on) == (today - 5 * DAY, years_after(today - 5 * DAY))
    assert deadline.due_on == record.destroy_after_on
    assert f"{today - 5 * DAY:%Y-%m-%d}" in deadline.basis and "reexport" in deadline.basis


def test_a_running_licence_has_neither_a_destroy_after_date_nor_a_retention_deadline(case, today):
    application = case("many transactions, licence still running")
    recompute_case(application_id=application.pk, today=today)
    assert RetentionRecord.objects.get(application=application).destroy_after_on is None
    assert not Deadline.objects.filter(application=application, kind=Kind.RECORD_RETENTION).exists()


def package_retention(legal, capture, application) -> dict:
    with capture(execute=True):
        package = request_export_package(actor=legal, application_ids=[application.pk])
    package.refresh_from_db()
    with zipfile.ZipFile(media_path(package.file.name)) as archive:
        data = json.loads(archive.read(f"applications/{application.reference}/application.json"))
    return data["retention"]


@pytest.mark.parametrize("name", CASES)
def test_the_record_the_deadline_and_the_legal_package_state_the_same_destroy_after_date(
    name, case, today, legal, django_capture_on_commit_callbacks
):
    application = case(name)
    # The deadlines are recomputed as after any change to the case, and the record as when its page is shown.
    recompute_case(application_id=application.pk, today=today)
    record = refresh_retention(application=application)
    deadline = Deadline.objects.filter(application=application, kind=Kind.RECORD_RETENTION).first()
    assert (deadline.due_on if deadline else None) == record.destroy_after_on
    stated = package_retention(legal, django_capture_on_commit_callbacks, application)
    assert stated["destroy_after_on"] == (record.destroy_after_on.isoformat() if record.destroy_after_on else None)
    assert stated["basis"] == record.basis


def test_an_application_remembers_that_its_letter_wanted_one_licence_per_transaction(draft):
    assert draft.one_transaction


def test_an_application_under_a_letter_for_many_transactions_does_not(officer, reviewer, item, today):
    letter(item, per_transaction=False)
    record = transaction(german_customer(officer, reviewer, today), item)
    assert not LicenceApplication.objects.get(transaction=record).one_transaction
