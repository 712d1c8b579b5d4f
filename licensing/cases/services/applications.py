import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.reference.models import UNITED_STATES, Activity

from .. import prefiling
from ..models import (
    ApplicationItem,
    ApplicationParty,
    LicenceApplication,
    SupportingDocumentKind,
    Transaction,
    application_type_for,
)
from ..rules.request import Evaluation
from ..workflow import APPLICATION_MACHINE

Status = LicenceApplication.Status
Role = ApplicationParty.Role


def create_draft_application(*, transaction_record: Transaction, evaluation: Evaluation) -> LicenceApplication:
    """Open the draft application a licence-required transaction needs, pre-filled; idempotent."""
    record = transaction_record
    existing = LicenceApplication.objects.filter(transaction=record).open().first()
    if existing is not None:
        return existing
    previous = LicenceApplication.objects.filter(transaction=record).order_by("-created_at").first()
    applicant = settings.APPLICANT
    deemed = record.activity in Activity.deemed()
    documents = [SupportingDocumentKind.LETTER_OF_EXPLANATION] if deemed else []
    if not deemed:
        documents.append(SupportingDocumentKind.FORM_711)
    additional: list[str] = []
    if deemed and record.person is not None:
        additional.append(
            f"Deemed {'export' if record.activity == Activity.DEEMED_EXPORT else 'reexport'}: release of "
            f"{record.item.name} to {record.person} in {record.destination_country.name}, attributed to "
            f"{evaluation.attributed_country} under 15 CFR 734.13(b)."
        )
    resubmission = ""
    if previous is not None and previous.status == Status.RETURNED_WITHOUT_ACTION:
        # A resubmission after RWA is a new application citing the old one (block 24).
        resubmission = previous.snapr_control_number
        additional.append(f"Resubmission of application {previous.snapr_control_number} (returned without action).")
    if evaluation.requirement is not None:
        additional.append(f"Licence required by {evaluation.requirement} ({evaluation.requirement.legal_basis}).")
    with transaction.atomic():
        application = LicenceApplication.objects.create(
            transaction=record,
            customer=record.customer,
            person=record.person,
            application_type=application_type_for(record.activity),
            contact_name=applicant["contact_name"],
            contact_phone=applicant["telephone"],
            documents_submitted=documents,
            specific_end_use=record.end_use,
            resubmission_control_number=resubmission,
            additional_information="\n".join(additional),
            one_transaction=bool(evaluation.requirement and evaluation.requirement.application_per_transaction),
        )
        _prefill_parties(application, record, applicant)
        ApplicationItem.objects.create(
            application=application,
            position=1,
            eccn=record.item.eccn,
            model_number=record.item.code,
            quantity=record.quantity,
            units="copies" if record.quantity is not None else "",
            unit_price=(record.value / record.quantity) if record.value and record.quantity else None,
            total_price=record.value,
            manufacturer=record.item.manufacturer,
            technical_description=record.item.description,
        )
        record_event(
            actor=None,
            verb="application.created",
            target=application,
            after={"transaction": record.external_id, "status": application.status},
            reason=evaluation.reasons[0] if evaluation.reasons else "",
        )
    return application


def _prefill_parties(application: LicenceApplication, record: Transaction, applicant: dict[str, str]) -> None:
    customer = record.customer
    address = customer.addresses.first()
    customer_country = (
        (address.country_id if address else None)
        or customer.headquarters_country_id
        or (customer.country_of_incorporation_id or record.destination_country_id)
    )
    common: dict[str, Any] = {
        "customer": customer,
        "name": customer.legal_name,
        "address": " ".join(filter(None, [address.line1, address.line2])) if address else "",
        "city": address.city if address else "",
        "postal_code": address.postal_code if address else "",
        "country_id": customer_country,
    }
    ApplicationParty.objects.create(
        application=application,
        role=Role.APPLICANT,
        name=applicant["name"],
        address=applicant["address"],
        city=applicant["city"],
        postal_code=applicant["postal_code"],
        country_id=UNITED_STATES,
        telephone=applicant["telephone"],
    )
    ApplicationParty.objects.create(application=application, role=Role.PURCHASER, **common)
    ApplicationParty.objects.create(
        application=application, role=Role.ULTIMATE_CONSIGNEE, **{**common, "country_id": record.destination_country_id}
    )
    if record.person is not None:
        ApplicationParty.objects.create(
            application=application,
            role=Role.END_USER,
            person=record.person,
            name=str(record.person),
            country_id=record.person.location_country_id,
        )
    else:
        ApplicationParty.objects.create(application=application, role=Role.END_USER, **common)


# Fields an officer may edit while the application is a draft.
EDITABLE_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_fax",
    "application_type",
    "documents_submitted",
    "documents_on_file",
    "special_comprehensive_licence",
    "special_purpose",
    "resubmission_control_number",
    "replacement_licence_number",
    "items_previously_exported",
    "import_certificate",
    "specific_end_use",
    "additional_information",
    "signer_name",
    "signer_title",
    "assigned_officer",
)


def update_application(*, actor: User | None, application: LicenceApplication, **changes: Any) -> LicenceApplication:
    """Change the blocks of a draft application."""
    if not user_can(actor, Action.PREPARE_APPLICATION):
        raise PermissionDenied(f"{actor} may not edit applications")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    with transaction.atomic():
        locked = LicenceApplication.objects.select_for_update(no_key=True).get(pk=application.pk)
        if locked.status != Status.DRAFT:
            raise ValidationError(f"{locked} is {locked.get_status_display().lower()}; only a draft can be edited.")
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=[*changes, "updated_at"])
        record_event(
            actor=actor,
            verb="application.updated",
            target=locked,
            before=_plain(before),
            after=_plain({name: getattr(locked, name) for name in changes}),
        )
    return locked


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()}


def submit_application_for_review(*, actor: User | None, application: LicenceApplication) -> LicenceApplication:
    """Send a draft to a reviewer; the actor becomes its preparer."""

    def stamp(locked: LicenceApplication) -> list[str]:
        _check_complete(locked)
        locked.prepared_by = actor
        return ["prepared_by"]

    return APPLICATION_MACHINE.apply(application, "submit_for_review", actor=actor, changes=stamp)


def _check_complete(application: LicenceApplication) -> None:
    # The pre-filing checklist the officer sees: any problem left refuses the move, naming its fields.
    prefiling.refuse_unless_ready(application, today=timezone.localdate())


def approve_for_filing(*, actor: User | None, application: LicenceApplication, reason: str = "") -> LicenceApplication:
    """Approve a reviewed application for filing (never by its preparer)."""

    def stamp(locked: LicenceApplication) -> list[str]:
        locked.approved_for_filing_by = actor
        return ["approved_for_filing_by"]

    return APPLICATION_MACHINE.apply(application, "approve_for_filing", actor=actor, reason=reason, changes=stamp)


def return_application(*, actor: User | None, application: LicenceApplication, reason: str) -> LicenceApplication:
    """Send an application in review back to its preparer."""
    return APPLICATION_MACHINE.apply(application, "return_to_preparer", actor=actor, reason=reason)


def record_submission(
    *,
    actor: User | None,
    application: LicenceApplication,
    control_number: str,
    submitted_on: datetime.date | None = None,
) -> LicenceApplication:
    """Record that the application was filed in SNAP-R, with the control number it was given."""
    control_number = (control_number or "").strip().upper()

    def stamp(locked: LicenceApplication) -> list[str]:
        locked.snapr_control_number = control_number
        locked.submitted_on = submitted_on or timezone.localdate()
        locked.application_date = locked.application_date or locked.submitted_on
        if not control_number:
            raise ValidationError({"snapr_control_number": "Give the control number SNAP-R assigned."})
        return ["snapr_control_number", "submitted_on", "application_date"]

    return APPLICATION_MACHINE.apply(
        application,
        "mark_submitted",
        actor=actor,
        changes=stamp,
        extra_event_data={"snapr_control_number": control_number},
    )


def record_registration(
    *, actor: User | None, application: LicenceApplication, registered_on: datetime.date | None = None
) -> LicenceApplication:
    """Record that BIS registered the application; the processing clock starts."""

    def stamp(locked: LicenceApplication) -> list[str]:
        locked.registered_on = registered_on or timezone.localdate()
        return ["registered_on"]

    return APPLICATION_MACHINE.apply(
        application,
        "record_registration",
        actor=actor,
        changes=stamp,
        extra_event_data={"registered_on": registered_on or timezone.localdate()},
    )


# BIS actions with nothing to record but the move and, where the table asks, a reason.
BIS_ACTIONS = (
    "record_pre_licence_check",
    "record_referral",
    "record_escalation",
    "record_intent_to_deny",
    "record_denial",
    "record_return_without_action",
    "record_return_not_required",
    "withdraw",
)


# Moves whose record holds more than a reason, each made by its own service.
RECORDED_WITH_DETAILS = {
    "record_information_request": "correspondence.record_information_request (what BIS asked and by when)",
    "record_information_supplied": "correspondence.record_information_supplied",
    "record_intent_to_deny_response": "correspondence.record_intent_to_deny_response",
}


def record_bis_action(
    *,
    actor: User | None,
    application: LicenceApplication,
    action: str,
    reason: str = "",
    on: datetime.date | None = None,
) -> LicenceApplication:
    """Record an action by BIS (or the applicant's withdrawal) on a filed application."""
    if action in RECORDED_WITH_DETAILS:
        raise ValidationError({"action": f"{action} records more than a reason: use {RECORDED_WITH_DETAILS[action]}."})
    if action not in BIS_ACTIONS:
        raise ValidationError({"action": f"Unknown action {action!r}."})
    return APPLICATION_MACHINE.apply(
        application,
        action,
        actor=actor,
        reason=reason,
        extra_event_data={"on": on or timezone.localdate()},
    )


def _lock_draft(actor: User | None, application: LicenceApplication) -> LicenceApplication:
    if not user_can(actor, Action.PREPARE_APPLICATION):
        raise PermissionDenied(f"{actor} may not edit applications")
    locked = LicenceApplication.objects.select_for_update(no_key=True).get(pk=application.pk)
    if locked.status != Status.DRAFT:
        raise ValidationError(f"{locked} is {locked.get_status_display().lower()}; only a draft can be edited.")
    return locked


def save_application_item(
    *, actor: User | None, application: LicenceApplication, line: ApplicationItem | None = None, **fields: Any
) -> ApplicationItem:
    """Add an item line (block 22) to a draft, or change one; the total is worked out when left empty."""
    with transaction.atomic():
        locked = _lock_draft(actor, application)
        created = line is None
        if line is None:
            last = locked.items.order_by("-position").values_list("position", flat=True).first()
            line = ApplicationItem(application=locked, position=(last or 0) + 1)
        else:
            line = ApplicationItem.objects.select_for_update(no_key=True).get(pk=line.pk, application=locked)
        before = {} if created else {name: getattr(line, name) for name in fields}
        for name, value in fields.items():
            setattr(line, name, value)
        if line.total_price is None and line.quantity is not None and line.unit_price is not None:
            line.total_price = (line.quantity * line.unit_price).quantize(Decimal("0.01"))
        line.full_clean()
        line.save()
        record_event(
            actor=actor,
            verb="application.item_added" if created else "application.item_changed",
            target=locked,
            before=_plain(before),
            after=_plain({"position": line.position, **{name: getattr(line, name) for name in fields}}),
        )
    return line


def remove_application_item(*, actor: User | None, application: LicenceApplication, line: ApplicationItem) -> None:
    """Take an item line off a draft."""
    with transaction.atomic():
        locked = _lock_draft(actor, application)
        line = ApplicationItem.objects.get(pk=line.pk, application=locked)
        line.delete()
        record_event(
            actor=actor,
            verb="application.item_removed",
            target=locked,
            before={"position": line.position, "eccn": line.eccn, "model_number": line.model_number},
        )


def save_application_party(
    *, actor: User | None, application: LicenceApplication, party: ApplicationParty | None = None, **fields: Any
) -> ApplicationParty:
    """Name a party in one of blocks 14 to 20 of a draft, or change one; only end users repeat."""
    with transaction.atomic():
        locked = _lock_draft(actor, application)
        created = party is None
        if party is None:
            party = ApplicationParty(application=locked)
        else:
            party = ApplicationParty.objects.select_for_update(no_key=True).get(pk=party.pk, application=locked)
        before = {} if created else {name: getattr(party, name) for name in fields}
        for name, value in fields.items():
            setattr(party, name, value)
        if party.role in ApplicationParty.SINGLE_ROLES:
            taken = locked.parties.filter(role=party.role).exclude(pk=party.pk).first()
            if taken is not None:
                raise ValidationError(
                    {"role": f"Block {party.get_role_display()} already names {taken.name}; change that party instead."}
                )
            party.position = 1
        elif created or ("role" in before and before["role"] != party.role):
            last = locked.parties.filter(role=party.role).order_by("-position").values_list("position", flat=True)
            party.position = (last.first() or 0) + 1
        party.full_clean()
        party.save()
        record_event(
            actor=actor,
            verb="application.party_added" if created else "application.party_changed",
            target=locked,
            before=_plain(before),
            after=_plain({name: getattr(party, name) for name in fields}),
        )
    return party


def remove_application_party(*, actor: User | None, application: LicenceApplication, party: ApplicationParty) -> None:
    """Take a party off a draft."""
    with transaction.atomic():
        locked = _lock_draft(actor, application)
        party = ApplicationParty.objects.get(pk=party.pk, application=locked)
        party.delete()
        record_event(
            actor=actor,
            verb="application.party_removed",
            target=locked,
            before={"role": party.role, "name": party.name},
        )
