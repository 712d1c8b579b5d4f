"""Record retention under 15 CFR 762.6: five years from the latest of the export, any
known reexport or transfer, or the end of the transaction; never while a legal hold stands.

`retention_dates` is the one computation: the case's retention record, its
RECORD_RETENTION deadline and the legal export package all read its result.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date

from licensing.audit.models import Event
from licensing.cases.models import FINAL_APPLICATION_STATUSES, Licence, LicenceApplication, LicenceUsage, Transaction

from .models import RetentionRecord

RETENTION_YEARS = 5

# A licence standing in these statuses still authorises exports: the transaction runs on.
RUNNING_LICENCE_STATUSES = (Licence.Status.ACTIVE, Licence.Status.SUSPENDED)

Basis = RetentionRecord.Basis
# How each date reads in the stated basis.
LABELS: dict[str, str] = {
    Basis.EXPORT: "the export",
    Basis.TRANSFER: "a known reexport or transfer",
    Basis.END_OF_TRANSACTION: "the end of the transaction",
}


@dataclass(frozen=True)
class RetentionDates:
    exported_on: datetime.date | None
    transaction_ended_on: datetime.date | None
    known_transfer_on: datetime.date | None
    destroy_after_on: datetime.date | None
    basis: str

    @classmethod
    def of(cls, record: RetentionRecord) -> "RetentionDates":
        """The dates a retention record stores, as `retention_dates` computed them."""
        return cls(
            record.exported_on,
            record.transaction_ended_on,
            record.known_transfer_on,
            record.destroy_after_on,
            record.basis,
        )

    @property
    def starts_on(self) -> datetime.date | None:
        """The latest of the dates the five years count from; None while the transaction runs."""
        if self.destroy_after_on is None:
            return None
        return max(day for day in (self.exported_on, self.known_transfer_on, self.transaction_ended_on) if day)

    def explanation(self) -> str:
        """Say, with every date, why the records are kept until when."""
        if self.destroy_after_on is None:
            return "The transaction is still running; the five years of 15 CFR 762.6 start when it ends."
        dates = [
            f"{LABELS[basis]} on {day:%Y-%m-%d}"
            for basis, day in (
                (Basis.EXPORT, self.exported_on),
                (Basis.TRANSFER, self.known_transfer_on),
                (Basis.END_OF_TRANSACTION, self.transaction_ended_on),
            )
            if day is not None
        ]
        return (
            f"Five years (15 CFR 762.6) from the latest of {'; '.join(dates)}: {LABELS[self.basis]}. "
            f"Kept until {self.destroy_after_on:%Y-%m-%d}."
        )


def years_after(day: datetime.date, years: int = RETENTION_YEARS) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        # 29 February with no leap day in the target year: keep one day longer, never shorter.
        return datetime.date(day.year + years, 3, 1)


def latest_export_on(application: LicenceApplication) -> datetime.date | None:
    """Return the date of the latest export of the case: its transaction or any made or used under its licence."""
    days = [timezone.localdate(application.transaction.requested_at)]
    licence = Licence.objects.filter(application=application).first()
    if licence is not None:
        last = Transaction.objects.filter(licence=licence).order_by("-requested_at").first()
        if last is not None:
            days.append(timezone.localdate(last.requested_at))
        # A recorded use is the day the items went, which may follow the request.
        used = LicenceUsage.objects.filter(licence=licence).order_by("-used_on").first()
        if used is not None:
            days.append(used.used_on)
    return max(days)


def transaction_ended_on(application: LicenceApplication, *, today: datetime.date) -> datetime.date | None:
    """Return the day the transaction ended, or None while the application or its licence runs."""
    if application.status not in FINAL_APPLICATION_STATUSES:
        return None
    licence = Licence.objects.filter(application=application).first()
    if licence is None:
        # A final application changes no more after it reached its status.
        return _status_reached_on(application, "application.", application.status, application.updated_at)
    if application.one_transaction:
        # The licence authorises this transaction alone: once its use is
        # recorded the transaction is over, however long the licence stays valid.
        used = LicenceUsage.objects.filter(licence=licence, transaction_id=application.transaction_id).first()
        if used is not None:
            return used.used_on
    standing = licence.standing_on(today)
    if standing in RUNNING_LICENCE_STATUSES:
        return None
    if standing == Licence.Status.EXPIRED:
        return licence.valid_until
    return _status_reached_on(licence, "licence.", licence.status, licence.updated_at)


def retention_dates(application: LicenceApplication, *, today: datetime.date | None = None) -> RetentionDates:
    """Compute the retention of a case from its records and its recorded reexports or transfers, as they stand."""
    today = today or timezone.localdate()
    known_transfer_on = (
        RetentionRecord.objects.filter(application=application).values_list("known_transfer_on", flat=True).first()
    )
    exported = latest_export_on(application)
    ended = transaction_ended_on(application, today=today)
    if ended is None:
        return RetentionDates(exported, None, known_transfer_on, None, "")
    candidates = [
        (exported, Basis.EXPORT),
        (known_transfer_on, Basis.TRANSFER),
        (ended, Basis.END_OF_TRANSACTION),
    ]
    # On a tie the later event in the list names the basis: the end of the
    # transaction, then a transfer, then the export.
    known = [(day, rank, basis) for rank, (day, basis) in enumerate(candidates) if day is not None]
    latest, _, basis = max(known)
    return RetentionDates(exported, ended, known_transfer_on, years_after(latest), basis)


def _status_reached_on(target, verb_prefix: str, status: str, changed_at: datetime.datetime) -> datetime.date:
    # The day recorded with the move (the day BIS acted, say); the recording
    # time otherwise; the row's last change when no event says.
    event = (
        Event.objects.for_target(target)
        .filter(verb__startswith=verb_prefix, after__status=status)
        .order_by("-sequence")
        .first()
    )
    if event is None:
        return timezone.localdate(changed_at)
    for key in ("on", "registered_on"):
        value = event.after.get(key)
        if isinstance(value, str):
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is not None:
                return day
    return timezone.localdate(event.occurred_at)
