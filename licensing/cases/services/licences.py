import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.reference.calendar import licence_expiry

from ..models import METERED_MAXIMUM, Licence, LicenceApplication, LicenceCondition
from ..workflow import APPLICATION_MACHINE, LICENCE_MACHINE


def record_approval(
    *,
    actor: User | None,
    application: LicenceApplication,
    licence_number: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    conditions: list[str] | tuple[str, ...] = (),
    authorised_quantity: Decimal | None = None,
    authorised_value: Decimal | None = None,
    authorised_calls: int | None = None,
    authorised_tokens: int | None = None,
    covers_employees: bool = True,
) -> Licence:
    """Record BIS's approval of an application and the licence it issued."""
    _check_metered_limits(authorised_calls=authorised_calls, authorised_tokens=authorised_tokens)
    conditions = [text.strip() for text in conditions if text and text.strip()]
    name = "record_approval_with_conditions" if conditions else "record_approval"
    valid_until = valid_until or licence_expiry(valid_from)
    with transaction.atomic():
        approved = APPLICATION_MACHINE.apply(
            application,
            name,
            actor=actor,
            extra_event_data={"licence_number": licence_number, "valid_until": valid_until},
        )
        record = approved.transaction
        licence = Licence(
            number=(licence_number or "").strip().upper(),
            application=approved,
            customer=approved.customer,
            person=approved.person,
            item=record.item,
            activity=record.activity,
            # The country the application filed; a row older than the field takes the transaction's, as before.
            country_id=approved.country_id or record.attributed_country_id or record.destination_country_id,
            covers_employees=covers_employees,
            valid_from=valid_from,
            valid_until=valid_until,
            authorised_quantity=authorised_quantity,
            authorised_value=authorised_value,
            authorised_calls=authorised_calls,
            authorised_tokens=authorised_tokens,
        )
        licence.full_clean()
        licence.save()
        LicenceCondition.objects.bulk_create(
            LicenceCondition(licence=licence, position=i, text=text) for i, text in enumerate(conditions, 1)
        )
        record_event(
            actor=actor,
            verb="licence.issued",
            target=licence,
            after={
                "number": licence.number,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "conditions": conditions,
                **({"authorised_calls": authorised_calls} if authorised_calls is not None else {}),
                **({"authorised_tokens": authorised_tokens} if authorised_tokens is not None else {}),
            },
        )
    return licence


def _check_metered_limits(**limits: object) -> None:
    # Checked before anything is written, so a bad limit records neither the approval nor the licence.
    errors: dict[str, str] = {}
    for name, limit in limits.items():
        if limit is None:
            continue
        if isinstance(limit, bool) or not isinstance(limit, int):
            errors[name] = "Give a whole number of at least 1, or nothing for a licence the gateway does not meter."
        elif not 1 <= limit <= METERED_MAXIMUM:
            errors[name] = f"Give a whole number from 1 to {METERED_MAXIMUM:,}, or nothing for no limit."
    if errors:
        raise ValidationError(errors)


def acknowledge_condition(*, actor: User | None, condition: LicenceCondition) -> LicenceCondition:
    """Record that the actor has read and accepted a licence condition."""
    # Acknowledging a rider is part of working the case; a person must do it,
    # so there is no system (actor=None) exception.
    if not user_can(actor, Action.PREPARE_APPLICATION):
        raise PermissionDenied(f"{actor} may not acknowledge licence conditions")
    with transaction.atomic():
        locked = LicenceCondition.objects.select_for_update(no_key=True).get(pk=condition.pk)
        if locked.acknowledged_at is not None:
            return locked
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        record_event(
            actor=actor,
            verb="licence.condition_acknowledged",
            target=locked.licence,
            after={"condition": locked.position},
        )
    return locked


def change_licence_status(*, actor: User | None, licence: Licence, action: str, reason: str) -> Licence:
    """Suspend, reinstate, revoke or replace a licence (750.8), with the reason."""
    if action not in ("suspend", "reinstate", "revoke", "replace"):
        raise ValidationError({"action": f"Unknown licence action {action!r}."})
    return LICENCE_MACHINE.apply(licence, action, actor=actor, reason=reason)


def expire_licences(*, on: datetime.date | None = None) -> int:
    """Mark every licence past its validity as expired; return how many."""
    on = on or timezone.localdate()
    count = 0
    for licence in Licence.objects.filter(
        status__in=[Licence.Status.ACTIVE, Licence.Status.SUSPENDED], valid_until__lt=on
    ):
        LICENCE_MACHINE.apply(licence, "expire", actor=None, reason=f"Validity ended on {licence.valid_until}.")
        count += 1
    return count
