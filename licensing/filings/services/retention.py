"""Retention: keep each case's destroy-after date current, set and release legal holds, destroy when allowed."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.cases.models import LicenceApplication

from .. import storage
from ..models import Filing, RetentionRecord, assert_may_destroy
from ..retention import retention_dates


def refresh_retention(*, application: LicenceApplication, today: datetime.date | None = None) -> RetentionRecord:
    """Compute the application's retention dates from the records as they stand and store them."""
    with transaction.atomic():
        # Locked first, so the known transfer the computation reads cannot change under it.
        record, _ = RetentionRecord.objects.select_for_update(no_key=True).get_or_create(application=application)
        # Read afresh: the caller's copy may predate the status change that ended the transaction.
        current = LicenceApplication.objects.select_related("transaction").get(pk=application.pk)
        dates = retention_dates(current, today=today)
        record.exported_on = dates.exported_on
        record.transaction_ended_on = dates.transaction_ended_on
        record.destroy_after_on = dates.destroy_after_on
        record.basis = dates.basis
        record.computed_at = timezone.now()
        record.save(update_fields=["exported_on", "transaction_ended_on", "destroy_after_on", "basis", "computed_at"])
    return record


def _require(actor: User | None, action: Action, what: str) -> None:
    if not user_can(actor, action):
        raise PermissionDenied(f"{actor} may not {what}")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for example the agency request or the matter it concerns."})
    return reason


def set_legal_hold(*, actor: User | None, application: LicenceApplication, reason: str) -> RetentionRecord:
    """Put the application's records under legal hold: nothing of it may be destroyed until released."""
    _require(actor, Action.MANAGE_RETENTION, "set a legal hold")
    reason = _reason(reason)
    refresh_retention(application=application)
    with transaction.atomic():
        record = RetentionRecord.objects.select_for_update(no_key=True).get(application=application)
        if record.legal_hold:
            raise ValidationError(
                {"legal_hold": f"{application.reference} is already under legal hold: {record.legal_hold_reason}"}
            )
        record.legal_hold = True
        record.legal_hold_reason = reason
        record.legal_hold_set_by = actor
        record.legal_hold_set_at = timezone.now()
        record.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_by", "legal_hold_set_at"])
        record_event(
            actor=actor, verb="retention.legal_hold_set", target=record, after={"legal_hold": True}, reason=reason
        )
    return record


def release_legal_hold(*, actor: User | None, application: LicenceApplication, reason: str) -> RetentionRecord:
    """Lift a legal hold; the ordinary retention period applies again."""
    _require(actor, Action.MANAGE_RETENTION, "release a legal hold")
    reason = _reason(reason)
    with transaction.atomic():
        record = RetentionRecord.objects.select_for_update(no_key=True).filter(application=application).first()
        if record is None or not record.legal_hold:
            raise ValidationError({"legal_hold": f"{application.reference} is not under legal hold."})
        before = {"legal_hold": True, "reason": record.legal_hold_reason}
        record.legal_hold = False
        record.legal_hold_reason = ""
        record.save(update_fields=["legal_hold", "legal_hold_reason"])
        record_event(
            actor=actor,
            verb="retention.legal_hold_released",
            target=record,
            before=before,
            after={"legal_hold": False},
            reason=reason,
        )
    return record


def record_known_transfer(
    *, actor: User | None, application: LicenceApplication, transferred_on: datetime.date, reason: str
) -> RetentionRecord:
    """Record a known reexport or transfer of the items; retention runs five years from the latest."""
    _require(actor, Action.MANAGE_RETENTION, "record a reexport or transfer")
    reason = _reason(reason)
    if transferred_on is None:
        raise ValidationError({"transferred_on": "Give the date of the reexport or transfer."})
    if transferred_on > timezone.localdate():
        raise ValidationError({"transferred_on": "A known transfer cannot be in the future."})
    record = refresh_retention(application=application)
    if record.exported_on and transferred_on < record.exported_on:
        raise ValidationError(
            {"transferred_on": f"The transfer is before the export on {record.exported_on:%Y-%m-%d}."}
        )
    with transaction.atomic():
        record = RetentionRecord.objects.select_for_update(no_key=True).get(pk=record.pk)
        before = record.known_transfer_on
        if before is None or transferred_on > before:
            record.known_transfer_on = transferred_on
            record.save(update_fields=["known_transfer_on"])
        record_event(
            actor=actor,
            verb="retention.transfer_recorded",
            target=record,
            before={"known_transfer_on": before},
            after={"known_transfer_on": record.known_transfer_on, "reported": transferred_on},
            reason=reason,
        )
    return refresh_retention(application=application)


def destroy_filings(*, actor: User | None, application: LicenceApplication, on: datetime.date | None = None) -> int:
    """Delete the application's filing PDFs once retention allows; refuse under legal hold or before the date."""
    _require(actor, Action.DESTROY_RECORDS, "destroy records")
    on = on or timezone.localdate()
    record = refresh_retention(application=application)
    with transaction.atomic():
        record = RetentionRecord.objects.select_for_update(no_key=True).get(pk=record.pk)
        assert_may_destroy(application, on=on)
        filings = list(Filing.objects.filter(application=application))
        names = [filing.file.name for filing in filings if filing.file and filing.file.name]
        Filing.objects.filter(pk__in=[filing.pk for filing in filings]).delete(on=on)
        record_event(
            actor=actor,
            verb="retention.filings_destroyed",
            target=record,
            after={"filings": len(filings), "destroy_after_on": record.destroy_after_on},
        )

        def remove_files() -> None:
            for name in names:
                storage.remove(name)

        transaction.on_commit(remove_files)
    return len(filings)
