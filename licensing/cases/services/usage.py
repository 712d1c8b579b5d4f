"""Drawing down a licence: what each transaction used of its quantity and value."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from ..models import Licence, LicenceUsage, Transaction
from ..workflow import LICENCE_MACHINE


class UsageRefused(Exception):
    """The licence cannot take this usage (not active, outside validity, or not enough left)."""


class UsageConflict(Exception):
    """The transaction's usage was already recorded with different figures."""


def record_usage(
    *,
    actor: User | None,
    licence: Licence,
    transaction_record: Transaction,
    quantity: Decimal = Decimal(0),
    value: Decimal = Decimal(0),
    used_on: datetime.date | None = None,
    via: str = "",
) -> tuple[LicenceUsage, bool]:
    """Record what a transaction used of a licence; a replay returns the first record.

    Returns (usage, created). Raises UsageRefused when the licence is not
    active, the day falls outside its validity or the usage would exceed what
    is left, and UsageConflict when the transaction's usage is already
    recorded with other figures. Nothing is written when either is raised.
    """
    if actor is not None and not user_can(actor, Action.RECORD_LICENCE_USAGE):
        raise PermissionDenied(f"{actor} may not record licence usage")
    used_on = used_on or timezone.localdate()
    quantity, value = Decimal(quantity), Decimal(value)
    errors = {}
    if quantity < 0:
        errors["quantity"] = "The quantity cannot be negative."
    if value < 0:
        errors["value"] = "The value cannot be negative."
    if used_on > timezone.localdate():
        errors["used_on"] = f"{used_on} is in the future; record usage on or after the day it happens."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # The row lock serialises every draw on this licence: two concurrent
        # calls cannot both read the same remaining quantity and overdraw it.
        locked = Licence.objects.select_for_update(no_key=True).get(pk=licence.pk)
        existing = LicenceUsage.objects.filter(transaction=transaction_record).first()
        if existing is not None:
            _check_replay(existing, locked, quantity, value, used_on)
            return existing, False
        _check_can_draw(locked, transaction_record, quantity, value, used_on)

        usage = LicenceUsage(
            licence=locked,
            transaction=transaction_record,
            quantity=quantity,
            value=value,
            used_on=used_on,
            recorded_by=actor,
            recorded_via=via[:150],
        )
        usage.full_clean(validate_unique=False)
        usage.save()
        Licence.objects.filter(pk=locked.pk).update(
            quantity_used=F("quantity_used") + quantity,
            value_used=F("value_used") + value,
            updated_at=timezone.now(),
        )
        locked.refresh_from_db(fields=["quantity_used", "value_used", "status"])
        record_event(
            actor=actor,
            verb="licence.usage_recorded",
            target=locked,
            after={
                "transaction": transaction_record.external_id,
                "quantity": quantity,
                "value": value,
                "used_on": used_on,
                "quantity_used": locked.quantity_used,
                "value_used": locked.value_used,
            },
            reason=f"Recorded by {via}." if via else "",
        )
        if _is_used_up(locked):
            LICENCE_MACHINE.apply(
                locked,
                "exhaust",
                actor=None,
                reason=f"Usage by {transaction_record.external_id} used up what the licence authorises.",
            )
    return usage, True


def _check_replay(
    existing: LicenceUsage, licence: Licence, quantity: Decimal, value: Decimal, used_on: datetime.date
) -> None:
    different = [
        name
        for name, old, new in (
            ("licence", existing.licence_id, licence.pk),
            ("quantity", existing.quantity, quantity),
            ("value", existing.value, value),
            ("used_on", existing.used_on, used_on),
        )
        if old != new
    ]
    if different:
        raise UsageConflict(
            f"The usage of transaction {existing.transaction.external_id} is already recorded "
            f"with a different {', '.join(different)}."
        )


def _check_can_draw(
    licence: Licence, record: Transaction, quantity: Decimal, value: Decimal, used_on: datetime.date
) -> None:
    if record.licence_id != licence.pk:
        relied_on = f"licence {record.licence.number}" if record.licence else "no licence"
        raise UsageRefused(
            f"Transaction {record.external_id} was authorised under {relied_on}, not licence {licence.number}."
        )
    if licence.status != Licence.Status.ACTIVE:
        raise UsageRefused(f"Licence {licence.number} is {licence.get_status_display().lower()}, not active.")
    if not licence.valid_from <= used_on <= licence.valid_until:
        raise UsageRefused(
            f"{used_on} is outside the validity of licence {licence.number} "
            f"({licence.valid_from} to {licence.valid_until})."
        )
    remaining = licence.remaining_quantity()
    if remaining is not None and quantity > remaining:
        raise UsageRefused(f"Licence {licence.number} has {remaining} units left; this usage needs {quantity}.")
    remaining = licence.remaining_value()
    if remaining is not None and value > remaining:
        raise UsageRefused(f"Licence {licence.number} has {remaining} of value left; this usage needs {value}.")


def _is_used_up(licence: Licence) -> bool:
    quantity_left, value_left = licence.remaining_quantity(), licence.remaining_value()
    return (quantity_left is not None and quantity_left <= 0) or (value_left is not None and value_left <= 0)
