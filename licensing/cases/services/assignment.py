"""Who works which application: assignment to an officer, one or many at a time."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from ..models import FINAL_APPLICATION_STATUSES, LicenceApplication


def assign_applications(*, actor: User | None, applications: Iterable[LicenceApplication], officer: User | None) -> int:
    """Give open applications to an officer (or to nobody); return how many changed."""
    if not user_can(actor, Action.ASSIGN_CASES):
        raise PermissionDenied(f"{actor} may not assign cases")
    if officer is not None and not user_can(officer, Action.PREPARE_APPLICATION):
        raise ValidationError({"officer": f"{officer} cannot prepare applications, so cannot be assigned them."})
    ids = [application.pk for application in applications]
    if not ids:
        raise ValidationError({"applications": "Choose at least one application."})
    changed = 0
    with transaction.atomic():
        locked = list(LicenceApplication.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"))
        final = [str(a) for a in locked if a.status in FINAL_APPLICATION_STATUSES]
        if final:
            raise ValidationError({"applications": f"Decided applications keep their officer: {', '.join(final)}."})
        for application in locked:
            if application.assigned_officer_id == getattr(officer, "pk", None):
                continue
            before = application.assigned_officer
            application.assigned_officer = officer
            application.save(update_fields=["assigned_officer", "updated_at"])
            record_event(
                actor=actor,
                verb="application.assigned",
                target=application,
                before={"assigned_officer": before.get_username() if before else None},
                after={"assigned_officer": officer.get_username() if officer else None},
            )
            changed += 1
    return changed


def take_applications(*, actor: User | None, applications: Iterable[LicenceApplication]) -> int:
    """Assign open applications nobody works to the officer taking them from the pool; return how many."""
    if actor is None or not user_can(actor, Action.PREPARE_APPLICATION):
        raise PermissionDenied(f"{actor} may not prepare applications, so cannot take them")
    ids = [application.pk for application in applications]
    if not ids:
        raise ValidationError({"applications": "Choose at least one application."})
    with transaction.atomic():
        # Locked so two officers taking the same application at once cannot both get it.
        locked = list(LicenceApplication.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"))
        final = [str(a) for a in locked if a.status in FINAL_APPLICATION_STATUSES]
        if final:
            raise ValidationError({"applications": f"Decided applications are in no queue: {', '.join(final)}."})
        taken = [str(a) for a in locked if a.assigned_officer_id not in (None, actor.pk)]
        if taken:
            raise ValidationError(
                {"applications": f"Already assigned to another officer: {', '.join(taken)}; ask a reviewer to move it."}
            )
        changed = 0
        for application in locked:
            if application.assigned_officer_id == actor.pk:
                continue
            application.assigned_officer = actor
            application.save(update_fields=["assigned_officer", "updated_at"])
            record_event(
                actor=actor,
                verb="application.assigned",
                target=application,
                before={"assigned_officer": None},
                after={"assigned_officer": actor.get_username()},
                reason="Taken from the unassigned pool.",
            )
            changed += 1
    return changed
