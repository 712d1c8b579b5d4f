"""What passes between the applicant and BIS beside the status: the BIS-711, requests for information, answers.

Each service checks the actor's role and every field before it writes
anything, so bad input is refused with the field named and nothing half
written; each writes its record, the event and (through the state machine
where the status moves) the recomputation of the case's clocks, in one
transaction.
"""

import contextlib
import datetime
from types import TracebackType
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.dateparse import parse_date

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.models import Event
from licensing.audit.services import record_event
from licensing.reference.calendar import add_years
from licensing.security.uploads import name_for_type, storage_token, validate_upload

from ..models import (
    FINAL_APPLICATION_STATUSES,
    ApplicationParty,
    ConsigneeStatement,
    InformationRequest,
    IntentToDenyResponse,
    LicenceApplication,
    SupportingDocument,
    SupportingDocumentKind,
)
from ..workflow import APPLICATION_MACHINE

Status = LicenceApplication.Status
PDF = "application/pdf"
# 748.11(b): a statement supports applications filed within four years of its signature, no later.
BIS_711_LIFE_YEARS = 4
TEXT_LIMIT = 20_000


def record_bis711(
    *,
    actor: User | None,
    application: LicenceApplication,
    signer_name: str,
    signer_title: str,
    signed_on: datetime.date | None,
    document: "UploadedFile[bytes] | None",
    today: datetime.date | None = None,
) -> ConsigneeStatement:
    """Record a BIS-711 the ultimate consignee signed, with its signed PDF; its 748.11 clocks start."""
    if not user_can(actor, Action.RECORD_CONSIGNEE_STATEMENT):
        raise PermissionDenied(f"{actor} may not record a BIS-711")
    today = today or timezone.localdate()
    signer_name, signer_title = _text(signer_name), _text(signer_title)
    errors: dict[str, str] = {}
    if not signer_name:
        errors["signer_name"] = "Give the name of the person who signed the statement."
    elif len(signer_name) > 150:
        errors["signer_name"] = "Use at most 150 characters."
    if not signer_title:
        errors["signer_title"] = "Give the signer's title, as printed under the signature."
    elif len(signer_title) > 150:
        errors["signer_title"] = "Use at most 150 characters."
    if not isinstance(signed_on, datetime.date):
        errors["signed_on"] = "Give the date the statement was signed."
    elif signed_on > today:
        errors["signed_on"] = f"The statement cannot have been signed after today ({today})."
    elif add_years(signed_on, BIS_711_LIFE_YEARS) < today:
        errors["signed_on"] = (
            f"Signed more than {BIS_711_LIFE_YEARS} years ago: no application may rely on it any more (748.11)."
        )
    mime = _checked_upload(document, field="document", errors=errors)
    if mime is not None and mime != PDF:
        errors["document"] = "The signed statement must be a PDF."
    if errors:
        raise ValidationError(errors)
    # Checked above: with no errors the date is a date, and the upload is there with its type known.
    assert isinstance(signed_on, datetime.date) and document is not None and mime is not None
    with transaction.atomic():
        locked = _lock_open(application)
        consignee = locked.parties.filter(role=ApplicationParty.Role.ULTIMATE_CONSIGNEE).first()
        if consignee is None:
            raise ValidationError(
                {
                    "consignee": f"{locked} names no ultimate consignee (block 18); "
                    "name them before recording their statement."
                }
            )
        supporting = SupportingDocument(
            application=locked,
            kind=SupportingDocumentKind.FORM_711,
            token=storage_token(),
            original_name=name_for_type(document.name, mime),
            description=f"Signed by {signer_name}, {signer_title}"[:300],
            signed_on=signed_on,
            uploaded_by=actor,
        )
        supporting.full_clean(exclude=["file"])
        statement = ConsigneeStatement(
            application=locked,
            consignee_name=consignee.name,
            consignee_country_id=consignee.country_id,
            consignee_customer_id=consignee.customer_id,
            signer_name=signer_name,
            signer_title=signer_title,
            signed_on=signed_on,
            recorded_by=actor,
        )
        statement.full_clean(exclude=["document"])
        with _stored(supporting.file, name_for_type(supporting.token, mime), document):
            supporting.save()
            statement.document = supporting
            statement.save()
            record_event(
                actor=actor,
                verb="application.consignee_statement_recorded",
                target=locked,
                after={
                    "statement": statement.pk,
                    "consignee": statement.consignee_name,
                    "signer_name": signer_name,
                    "signer_title": signer_title,
                    "signed_on": signed_on,
                    "document": supporting.original_name,
                },
            )
    return statement


def record_information_request(
    *,
    actor: User | None,
    application: LicenceApplication,
    questions: str,
    respond_by: datetime.date | None,
    requested_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> InformationRequest:
    """Record what BIS asked and by when; the 90-day clock stops until the answer is recorded (750.4)."""
    if not user_can(actor, Action.RECORD_BIS_ACTION):
        raise PermissionDenied(f"{actor} may not record an action by BIS")
    today = today or timezone.localdate()
    requested_on = requested_on or today
    questions = _text(questions)
    errors: dict[str, str] = {}
    if not questions:
        errors["questions"] = "Say what BIS asked for."
    elif len(questions) > TEXT_LIMIT:
        errors["questions"] = f"Use at most {TEXT_LIMIT:,} characters."
    if not isinstance(requested_on, datetime.date):
        errors["requested_on"] = "Give the date BIS asked, or leave it empty for today."
    elif requested_on > today:
        errors["requested_on"] = f"BIS cannot have asked after today ({today})."
    if not isinstance(respond_by, datetime.date):
        errors["respond_by"] = "Give the date BIS wants the answer by."
    elif isinstance(requested_on, datetime.date) and respond_by < requested_on:
        errors["respond_by"] = f"The answer cannot be due before BIS asked ({requested_on})."
    _refuse_before_registration(application, requested_on, "requested_on", errors)
    if errors:
        raise ValidationError(errors)
    # Checked above: with no errors the answer is due on a date.
    assert isinstance(respond_by, datetime.date)
    with transaction.atomic():
        moved = APPLICATION_MACHINE.apply(
            application,
            "record_information_request",
            actor=actor,
            extra_event_data={"on": requested_on, "respond_by": respond_by, "questions": questions},
        )
        request = InformationRequest(
            application=moved,
            requested_on=requested_on,
            questions=questions,
            respond_by=respond_by,
            recorded_by=actor,
        )
        request.full_clean()
        request.save()
    return request


def record_information_supplied(
    *,
    actor: User | None,
    application: LicenceApplication,
    answer: str = "",
    supplied_on: datetime.date | None = None,
    request: InformationRequest | None = None,
    today: datetime.date | None = None,
) -> InformationRequest:
    """Record that the information BIS asked for was supplied; the 90-day clock runs again from that day.

    `request` names the request answered, where the caller chose one; it must be the open one.
    """
    if not user_can(actor, Action.RESPOND_TO_BIS):
        raise PermissionDenied(f"{actor} may not record an answer to BIS")
    today = today or timezone.localdate()
    supplied_on = supplied_on or today
    answer = _text(answer)
    named = request
    request = (
        InformationRequest.objects.filter(application=application, answered_on__isnull=True)
        .order_by("-requested_on", "-pk")
        .first()
    )
    errors: dict[str, str] = {}
    status = LicenceApplication.objects.filter(pk=application.pk).values_list("status", flat=True).first()
    if named is not None and named.application_id != application.pk:
        errors["request"] = f"Request {named.pk} is not one of {application}'s."
    elif named is not None and not named.is_open:
        errors["request"] = f"That request for information was answered on {named.answered_on}; it is not open."
    elif named is not None and (request is None or named.pk != request.pk):
        errors["request"] = "That request for information is not the one open on the application."
    if status != Status.INFORMATION_REQUESTED:
        errors.setdefault(
            "request", f"No request for information is open on {application}; there is nothing to answer."
        )
    if not isinstance(supplied_on, datetime.date):
        errors["supplied_on"] = "Give the date the information was supplied, or leave it empty for today."
    elif supplied_on > today:
        errors["supplied_on"] = f"The information cannot have been supplied after today ({today})."
    elif request is not None and supplied_on < request.requested_on:
        errors["supplied_on"] = f"The information cannot have been supplied before BIS asked ({request.requested_on})."
    if len(answer) > TEXT_LIMIT:
        errors["answer"] = f"Use at most {TEXT_LIMIT:,} characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        moved = APPLICATION_MACHINE.apply(
            application,
            "record_information_supplied",
            actor=actor,
            reason=answer,
            extra_event_data={"on": supplied_on},
        )
        if request is None:
            # Asked before requests were recorded as their own rows: keep the answer all the same.
            request = InformationRequest(
                application=moved,
                requested_on=_last_move_day(moved, "application.record_information_request") or supplied_on,
                questions="(not recorded)",
                respond_by=supplied_on,
                recorded_by=actor,
            )
        else:
            request = InformationRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
        request.answered_on = supplied_on
        request.answer = answer
        request.full_clean()
        request.save()
    return request


def record_intent_to_deny_response(
    *,
    actor: User | None,
    application: LicenceApplication,
    responded_on: datetime.date | None,
    text: str,
    document: "UploadedFile[bytes] | None" = None,
    today: datetime.date | None = None,
) -> IntentToDenyResponse:
    """Record the applicant's response to an intent to deny (750.6): its 20-day clock is met, BIS's runs again."""
    if not user_can(actor, Action.RESPOND_TO_BIS):
        raise PermissionDenied(f"{actor} may not record an answer to BIS")
    today = today or timezone.localdate()
    text = _text(text)
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Give the response, or its gist if it went as a document."
    elif len(text) > TEXT_LIMIT:
        errors["text"] = f"Use at most {TEXT_LIMIT:,} characters."
    notified_on = _last_move_day(application, "application.record_intent_to_deny")
    if not isinstance(responded_on, datetime.date):
        errors["responded_on"] = "Give the date the response was sent."
    elif responded_on > today:
        errors["responded_on"] = f"The response cannot have been sent after today ({today})."
    elif notified_on is not None and responded_on < notified_on:
        errors["responded_on"] = f"The response cannot come before the intent to deny was notified ({notified_on})."
    mime = _checked_upload(document, field="document", errors=errors) if document is not None else None
    if errors:
        raise ValidationError(errors)
    # Checked above: with no errors the response was sent on a date.
    assert isinstance(responded_on, datetime.date)
    with transaction.atomic():
        moved = APPLICATION_MACHINE.apply(
            application,
            "record_intent_to_deny_response",
            actor=actor,
            extra_event_data={"on": responded_on, "notified_on": notified_on},
        )
        response = IntentToDenyResponse(
            application=moved,
            notified_on=notified_on or responded_on,
            responded_on=responded_on,
            text=text,
            recorded_by=actor,
        )
        stored: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
        # A type is known only for an attached document.
        if document is not None and mime is not None:
            response.token = storage_token()
            response.original_name = name_for_type(document.name, mime)
            stored = _stored(response.file, name_for_type(response.token, mime), document)
        response.full_clean(exclude=["file"])
        with stored:
            response.save()
            record_event(
                actor=actor,
                verb="application.intent_to_deny_response_recorded",
                target=moved,
                after={
                    "response": response.pk,
                    "responded_on": responded_on,
                    "notified_on": response.notified_on,
                    "document": response.original_name,
                },
            )
    return response


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _checked_upload(upload: "UploadedFile[bytes] | None", *, field: str, errors: dict[str, str]) -> str | None:
    if upload is None:
        errors[field] = "Attach the signed document."
        return None
    try:
        return validate_upload(upload, field=field)
    except ValidationError as error:
        errors.update({name: " ".join(messages) for name, messages in error.message_dict.items()})
        return None


def _lock_open(application: LicenceApplication) -> LicenceApplication:
    locked = LicenceApplication.objects.select_for_update(no_key=True).get(pk=application.pk)
    if locked.status in FINAL_APPLICATION_STATUSES:
        raise ValidationError(
            {"application": f"{locked} is {locked.get_status_display().lower()}; nothing more is recorded on it."}
        )
    return locked


def _refuse_before_registration(
    application: LicenceApplication, day: datetime.date | None, field: str, errors: dict[str, str]
) -> None:
    registered_on = LicenceApplication.objects.filter(pk=application.pk).values_list("registered_on", flat=True).first()
    if isinstance(day, datetime.date) and registered_on is not None and day < registered_on:
        errors.setdefault(field, f"BIS cannot have asked before it registered the application ({registered_on}).")


def _last_move_day(application: LicenceApplication, verb: str) -> datetime.date | None:
    event = Event.objects.for_target(application).filter(verb=verb).order_by("-sequence").first()
    if event is None:
        return None
    on = event.after.get("on")
    day = parse_date(on) if isinstance(on, str) else None
    return day or timezone.localdate(event.occurred_at)


class _stored:
    """Write an upload into a file field for the block; remove it again if the block fails."""

    def __init__(self, field_file: FieldFile, name: str, upload: "UploadedFile[bytes]") -> None:
        self.field_file, self.name, self.upload = field_file, name, upload

    def __enter__(self) -> FieldFile:
        self.field_file.save(self.name, self.upload, save=False)
        return self.field_file

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> Literal[False]:
        if error is not None:
            self.field_file.delete(save=False)
        return False
