"""Personal evidence (passports, visas, resumes): stored privately, shown to compliance roles only."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.security.uploads import name_for_type, storage_token, validate_upload

from .models import EvidenceDocument, Person


def attach_evidence(*, actor, person: Person, kind: str, upload, description: str = "") -> EvidenceDocument:
    """Store an evidence file for a person after checking its content and size."""
    if not user_can(actor, Action.VIEW_EVIDENCE):
        raise PermissionDenied(f"{actor} may not handle personal evidence")
    mime = validate_upload(upload)
    document = EvidenceDocument(
        person=person,
        kind=kind,
        token=storage_token(),
        # The name's extension follows the content, so a PDF named .html is
        # kept and served as the PDF it is.
        original_name=name_for_type(upload.name, mime),
        description=description,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    with transaction.atomic():
        # The file is written by save(); if the row fails to commit the file is
        # removed below so no orphan is left behind.
        document.file.save(name_for_type(document.token, mime), upload, save=False)
        try:
            document.save()
            record_event(
                actor=actor,
                verb="person.evidence_attached",
                target=person,
                after={"kind": kind, "document": document.pk, "name": document.original_name},
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def open_evidence(*, actor, document: EvidenceDocument):
    """Return the file of an evidence document to a compliance user, and log that they opened it."""
    if not user_can(actor, Action.VIEW_EVIDENCE):
        raise PermissionDenied(f"{actor} may not see personal evidence")
    record_event(actor=actor, verb="person.evidence_viewed", target=document.person, after={"document": document.pk})
    return document.file.open("rb")
