"""The customer's answer: checked, stored with its documents and signature, and made evidence on the subject."""

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from licensing.audit.services import record_event
from licensing.parties.models import EvidenceDocument
from licensing.security.uploads import name_for_type, storage_token, validate_upload

from ..answers import clean_answers, record_answers
from ..models import Attestation, AttestationDocument
from .access import usable_attestation

log = logging.getLogger(__name__)

MOST_DOCUMENTS = 5


def submit_attestation(
    *,
    value: str,
    client_address: str | None,
    answers: dict,
    signed_name: str,
    signed_title: str,
    documents: Sequence[tuple[str, UploadedFile]] = (),
) -> Attestation:
    """Record a signed answer through a link; its answers become evidence, and nothing is approved by it."""
    attestation = usable_attestation(value, client_address=client_address)
    errors: dict[str, list[str]] = {}
    signed_name, signed_title = (signed_name or "").strip(), (signed_title or "").strip()
    if not signed_name:
        errors["signed_name"] = ["Sign with your full name."]
    if not signed_title:
        errors["signed_title"] = ["Give your title or role."]
    if len(signed_name) > 200 or len(signed_title) > 200:
        errors.setdefault("signed_name", []).append("Keep the name and title under 200 characters each.")
    if len(documents) > MOST_DOCUMENTS:
        errors["documents"] = [f"Upload at most {MOST_DOCUMENTS} documents."]
    checked = []
    for kind, upload in documents:
        if kind not in EvidenceDocument.Kind.values:
            errors.setdefault("documents", []).append(f"{kind!r} is not a kind of document.")
            continue
        try:
            checked.append((kind, upload, validate_upload(upload, field="documents")))
        except ValidationError as error:
            errors.setdefault("documents", []).extend(error.messages)
    try:
        cleaned = clean_answers(about_person=attestation.asks_about_a_person, data=answers)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    stored: list[AttestationDocument] = []
    try:
        with transaction.atomic():
            locked = (
                Attestation.objects.select_for_update(no_key=True, of=("self",))
                .select_related("customer", "person")
                .get(pk=attestation.pk)
            )
            if not locked.is_open:
                # Answered or revoked between the check above and this lock.
                raise ValidationError({"attestation": "This link can no longer be used."})
            for kind, upload, mime in checked:
                document = AttestationDocument(
                    attestation=locked, kind=kind, token=storage_token(), original_name=name_for_type(upload.name, mime)
                )
                document.file.save(name_for_type(document.token, mime), upload, save=False)
                stored.append(document)
                document.save()
            before = locked.status
            locked.answers = cleaned
            locked.signed_name = signed_name
            locked.signed_title = signed_title
            locked.signed_on = timezone.localdate()
            locked.submitted_at = timezone.now()
            locked.recorded = record_answers(attestation=locked, answers=cleaned)
            locked.status = Attestation.Status.SUBMITTED
            locked.save(
                update_fields=[
                    "answers",
                    "signed_name",
                    "signed_title",
                    "signed_on",
                    "submitted_at",
                    "recorded",
                    "status",
                ]
            )
            # Its reaction runs the subject's triage again on the facts just written.
            record_event(
                actor=None,
                verb="attestation.submitted",
                target=locked,
                before={"status": before},
                after={
                    "status": locked.status,
                    "signed_by": f"{signed_name}, {signed_title}",
                    "documents": [d.pk for d in stored],
                    "status_records": locked.recorded["status_records"],
                    "ownerships": locked.recorded["ownerships"],
                    "filled": locked.recorded["filled"],
                    "discrepancies": locked.recorded["discrepancies"],
                },
                reason=f"Signed by {signed_name}, {signed_title}, on {locked.signed_on}.",
            )
    except Exception:
        # The rows rolled back; their files must not be left behind.
        for document in stored:
            document.file.delete(save=False)
        raise
    return locked
