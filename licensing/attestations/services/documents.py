"""Documents a customer uploaded with an attestation: compliance eyes only, and each opening is logged."""

from django.core.exceptions import PermissionDenied

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from ..models import AttestationDocument


def open_attestation_document(*, actor, document: AttestationDocument):
    """Return the file of an attestation's document to a compliance user, and log that they opened it."""
    if not user_can(actor, Action.VIEW_EVIDENCE):
        raise PermissionDenied(f"{actor} may not see personal evidence")
    record_event(
        actor=actor,
        verb="attestation.document_opened",
        target=document.attestation,
        after={"document": document.pk, "name": document.original_name},
    )
    return document.file.open("rb")
