"""Writing webhook subscriptions, for the admin and the API alike."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from ..models import WebhookSubscription

EDITABLE = ("name", "url", "events", "secret", "active")


def _require(actor):
    if actor is not None and not user_can(actor, Action.MANAGE_WEBHOOKS):
        raise PermissionDenied(f"{actor} may not manage webhooks")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def create_subscription(
    *, actor, name: str, url: str, events: list[str], secret: str | None = None, active: bool = True, via: str = ""
) -> WebhookSubscription:
    """Subscribe a URL to events; the secret is generated unless given."""
    _require(actor)
    with transaction.atomic():
        subscription = WebhookSubscription(
            name=name, url=url, events=list(events), secret=secret or new_secret(), active=active
        )
        subscription.full_clean()
        subscription.save()
        record_event(
            actor=actor,
            verb="webhook.subscribed",
            target=subscription,
            after={"url": url, "events": subscription.events, "active": active},
            reason=f"By {via}." if via else "",
        )
    return subscription


def update_subscription(*, actor, subscription: WebhookSubscription, via: str = "", **changes) -> WebhookSubscription:
    """Change a subscription's URL, events, secret or whether it is active."""
    _require(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update(no_key=True).get(pk=subscription.pk)
        before = {name: getattr(locked, name) for name in changes if name != "secret"}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        after = {name: getattr(locked, name) for name in changes if name != "secret"}
        if "secret" in changes:
            after["secret_replaced"] = True
        record_event(
            actor=actor,
            verb="webhook.changed",
            target=locked,
            before=before,
            after=after,
            reason=f"By {via}." if via else "",
        )
    return locked
