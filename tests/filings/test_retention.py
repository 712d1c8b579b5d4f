"""Five years from the latest of the export, a known transfer, or the end of the transaction; never under hold."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from licensing.cases.models import Licence
from licensing.cases.services import applications
from licensing.filings.models import Filing, RetentionBlocked, RetentionRecord
from licensing.filings.retention import years_after
from licensing.filings.services.retention import (
    destroy_filings,
    record_known_transfer,
    refresh_retention,
    release_legal_hold,
    set_legal_hold,
)


def test_five_years_after_a_leap_day_is_the_first_of_march():
    assert years_after(datetime.date(2028, 2, 29)) == datetime.date(2033, 3, 1)
    assert years_after(datetime.date(2026, 11, 2)) == datetime.date(2031, 11, 2)


def test_an_open_application_has_no_destroy_after_date_yet(today, draft):
    record = refresh_retention(application=draft)
    assert record.exported_on == timezone.localdate(draft.transaction.requested_at)
    assert record.transaction_ended_on is None and record.destroy_after_on is None
    assert "still running" in record.blocks_destruction_on(today + datetime.timedelta(days=3650))


def test_a_denied_application_is_kept_five_years_from_its_end(today, draft, officer, reviewer):
    from .conftest import approve

    application = approve(draft, officer, reviewer)
    application = applications.record_submission(actor=officer, application=application, control_number="Z100001")
    application = applications.record_registration(actor=officer, application=application)
    applications.record_bis_action(actor=officer, application=application, action="record_denial", reason="No")
    record = refresh_retention(application=application)
    assert record.transaction_ended_on == today
    assert record.destroy_after_on == years_after(today)
    assert record.basis == RetentionRecord.Basis.END_OF_TRANSACTION


def test_an_active_licence_keeps_the_transaction_running(licensed):
    record = refresh_retention(application=licensed)
    assert record.transaction_ended_on is None and record.destroy_after_on is None


def test_an_expired_licence_ends_the_transaction_on_its_last_valid_day(licensed):
    Licence.objects.filter(application=licensed).update(status=Licence.Status.EXPIRED)
    record = refresh_retention(application=licensed)
    assert record.transaction_ended_on == datetime.date(2030, 11, 4)
    assert record.destroy_after_on == datetime.date(2035, 11, 4)


def test_a_later_known_transfer_extends_retention(today, licensed, legal):
    Licence.objects.filter(application=licensed).update(
        status=Licence.Status.EXPIRED,
        valid_from=today - datetime.timedelta(days=90),
        valid_until=today - datetime.timedelta(days=30),
    )
    record = record_known_transfer(
        actor=legal, application=licensed, transferred_on=today, reason="Consignee's notice of transfer to Köln"
    )
    assert record.known_transfer_on == today
    assert record.destroy_after_on == years_after(today)
    assert record.basis == RetentionRecord.Basis.TRANSFER


def test_a_transfer_in_the_future_is_refused_naming_the_date(today, licensed, legal):
    with pytest.raises(ValidationError) as error:
        record_known_transfer(
            actor=legal, application=licensed, transferred_on=today + datetime.timedelta(days=1), reason="x"
        )
    assert "cannot be in the future" in error.value.message_dict["transferred_on"][0]


def test_only_legal_staff_and_administrators_set_legal_holds(draft, officer, auditor):
    for user in (officer, auditor):
        with pytest.raises(PermissionDenied):
            set_legal_hold(actor=user, application=draft, reason="Subpoena 26-114")
    assert not RetentionRecord.objects.filter(legal_hold=True).exists()


def test_a_legal_hold_needs_a_reason(draft, legal):
    with pytest.raises(ValidationError) as error:
        set_legal_hold(actor=legal, application=draft, reason="  ")
    assert "reason" in error.value.message_dict


def test_a_legal_hold_blocks_destruction_after_the_retention_date(today, licensed, legal, admin_user, render):
    filing, path = render(licensed, "bis_748p")
    Licence.objects.filter(application=licensed).update(
        status=Licence.Status.EXPIRED, valid_from=datetime.date(2015, 1, 2), valid_until=datetime.date(2019, 1, 1)
    )
    set_legal_hold(actor=legal, application=licensed, reason="BIS Office of Export Enforcement request 26-114")
    with pytest.raises(RetentionBlocked, match="under legal hold: BIS Office of Export Enforcement request"):
        destroy_filings(actor=admin_user, application=licensed, on=datetime.date(2040, 1, 1))
    assert Filing.objects.filter(pk=filing.pk).exists() and path.exists()

    release_legal_hold(actor=legal, application=licensed, reason="Request closed")
    # The export itself was recent, so the five years now run from it.
    with pytest.raises(RetentionBlocked, match="must be kept until"):
        destroy_filings(actor=admin_user, application=licensed, on=today)
    assert path.exists()


def test_records_past_their_retention_are_destroyed_by_an_administrator(
    licensed, admin_user, legal, render, django_capture_on_commit_callbacks
):
    filing, path = render(licensed, "bis_748p")
    Licence.objects.filter(application=licensed).update(status=Licence.Status.EXPIRED)
    later = years_after(datetime.date(2030, 11, 4)) + datetime.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        destroy_filings(actor=legal, application=licensed, on=later)
    # The documents queued on approval go too: nothing of the case is kept past its period.
    count = Filing.objects.filter(application=licensed).count()
    with django_capture_on_commit_callbacks(execute=True):
        assert destroy_filings(actor=admin_user, application=licensed, on=later) == count
    assert not Filing.objects.filter(application=licensed).exists()
    assert not path.exists()


def test_releasing_a_hold_that_is_not_set_is_refused(draft, legal):
    with pytest.raises(ValidationError, match="is not under legal hold"):
        release_legal_hold(actor=legal, application=draft, reason="Done")
