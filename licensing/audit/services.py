from django.contrib.contenttypes.models import ContentType

from .models import Event

SYSTEM_ACTOR_LABEL = "system"


def record_event(*, actor, verb: str, target, before=None, after=None, reason: str = "") -> Event:
    """Append one event to the log; call it inside the transaction that made the change."""
    return Event.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor is not None else SYSTEM_ACTOR_LABEL,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        before=before or {},
        after=after or {},
        reason=reason,
    )
