from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .chain import GENESIS_HASH, as_stored_json, content_hash, lock_chain
from .models import Event

SYSTEM_ACTOR_LABEL = "system"


def record_event(*, actor, verb: str, target, before=None, after=None, reason: str = "") -> Event:
    """Append one event to the log; call it inside the transaction that made the change."""
    with transaction.atomic():
        lock_chain()
        head = Event.objects.order_by("-sequence").values("sequence", "hash").first()
        event = Event(
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=actor.get_username() if actor is not None else SYSTEM_ACTOR_LABEL,
            verb=verb,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
            target_repr=str(target)[:255],
            before=as_stored_json(before or {}),
            after=as_stored_json(after or {}),
            reason=reason,
            sequence=(head["sequence"] + 1) if head else 1,
            previous_hash=head["hash"] if head else GENESIS_HASH,
        )
        event.hash = content_hash(event)
        event.save(force_insert=True)
    return event
