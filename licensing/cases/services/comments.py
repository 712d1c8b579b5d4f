"""Comments on a case: notes in its event log, kept like every other event."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.models import Event
from licensing.audit.services import record_event

COMMENT_VERB = "comment"
COMMENT_MAX_LENGTH = 4000


def add_comment(*, actor: User | None, target: models.Model, text: str) -> Event:
    """Add a comment to any case record (customer, person, determination, transaction, application, licence)."""
    if not user_can(actor, Action.COMMENT):
        raise PermissionDenied(f"{actor} may not comment")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment first."})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": f"Keep a comment to {COMMENT_MAX_LENGTH} characters; this has {len(text)}."})
    return record_event(actor=actor, verb=COMMENT_VERB, target=target, after={"text": text})
