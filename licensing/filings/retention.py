"""Record retention under 15 CFR 762.6: five years from the latest of the export, any
known reexport or transfer, or the end of the transaction; never while a legal hold stands.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.cases.workflow import FINAL_APPLICATION_STATUSES

from .models import RetentionRecord

RETENTION_YEARS = 5

# A licence in these statuses still authorises exports: the transaction runs on.
RUNNING_LICENCE_STATUSES = (Licence.Status.ACTIVE, Licence.Status.SUSPENDED)


class RetentionBlocked(Exception):
    """Records were about to be destroyed inside their retention period or under a legal hold."""


@dataclass(frozen=True)
class RetentionDates:
    exported_on: datetime.date | None
    transaction_ended_on: datetime.date | None
    known_transfer_on: datetime.date | None
    destroy_after_on: datetime.date | None
    basis: str


def years_after(day: datetime.date, years: int = RETENTION_YEARS) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        # 29 February with no leap day in the target year: keep one day longer, never shorter.
        return datetime.date(day.year + years, 3, 1)


def latest_export_on(application: LicenceApplication) -> datetime.date | None:
    """Return the date of the latest export of the case: its transaction or any made under its licence."""
    moments = [application.transaction.requested_at]
    licence = Licence.objects.filter(application=application).first()
    if licence is not None:
        last = Transaction.objects.filter(licence=licence).order_by("-requested_at").first()
        if last is not None:
            moments.append(last.requested_at)
    return timezone.localdate(max(moments))


def transaction_ended_on(application: LicenceApplication) -> datetime.date | None:
    """Return the day the transaction ended, or None while the application or its licence runs."""
    if application.status not in FINAL_APPLICATION_STATUSES:
        return None
    licence = Licence.objects.filter(application=application).first()
    if licence is None:
        # A final application changes no more after its last status change.
        return timezone.localdate(application.updated_at)
    if licence.status in RUNNING_LICENCE_STATUSES:
        return None
    if licence.status == Licence.Status.EXPIRED:
        return licence.valid_until
    return timezone.localdate(licence.updated_at)


def retention_dates(application: LicenceApplication, *, known_transfer_on=None) -> RetentionDates:
    """Compute the retention dates of an application from the records as they stand."""
    exported = latest_export_on(application)
    ended = transaction_ended_on(application)
    if ended is None:
        return RetentionDates(exported, None, known_transfer_on, None, "")
    candidates = [
        (exported, RetentionRecord.Basis.EXPORT),
        (known_transfer_on, RetentionRecord.Basis.TRANSFER),
        (ended, RetentionRecord.Basis.END_OF_TRANSACTION),
    ]
    # On a tie the later event in the list names the basis: the end of the
    # transaction, then a transfer, then the export.
    known = [(day, rank, basis) for rank, (day, basis) in enumerate(candidates) if day is not None]
    latest, _, basis = max(known)
    return RetentionDates(exported, ended, known_transfer_on, years_after(latest), basis)


def assert_may_destroy(application: LicenceApplication, *, on: datetime.date | None = None) -> None:
    """Raise RetentionBlocked unless the application's records may be destroyed on `on`."""
    on = on or timezone.localdate()
    record = RetentionRecord.objects.filter(application=application).first()
    if record is None:
        raise RetentionBlocked(f"{application.reference} has no retention record; compute it before destroying")
    refusal = record.blocks_destruction_on(on)
    if refusal:
        raise RetentionBlocked(refusal)
