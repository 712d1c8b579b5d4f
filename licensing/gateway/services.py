"""Registering and revoking the model-serving platform's API keys, and finding the key a request presents."""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.audit.verbs import Verb
from licensing.parties.models import Customer, Person

from .models import ModelApiKey

KEY_PREFIX = "exm_"  # a public marker that makes leaked model keys recognisable, apart from ExportDesk's own tokens


def hash_key(raw: str) -> str:
    # The key is 256 random bits, so a fast hash is enough: there is no
    # dictionary to guess from, unlike a password.
    return hashlib.sha256(raw.encode()).hexdigest()


def register_model_api_key(*, actor, customer: Customer, name: str, via: str = "") -> tuple[ModelApiKey, str]:
    """Register a new model API key for `customer`; returns (key, raw key). The raw key is never stored."""
    _require(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give a name of 1 to 100 characters."})
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ModelApiKey(
            customer=customer,
            name=name,
            prefix=raw[:12],
            key_hash=hash_key(raw),
            created_by=via or (actor.get_username() if actor is not None else ""),
        )
        key.full_clean()
        key.save()
        record_event(
            actor=actor,
            verb=Verb.MODEL_API_KEY_REGISTERED,
            target=key,
            after={"customer": customer.external_id, "name": name, "prefix": key.prefix},
            reason=f"By {via}." if via else "",
        )
    return key, raw


def revoke_model_api_key(*, actor, key: ModelApiKey, reason: str) -> ModelApiKey:
    """Revoke a model API key; the gateway refuses the very next request made with it."""
    _require(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the key is revoked."})
    with transaction.atomic():
        # Locked so that two revocations at once record one event, not two.
        locked = ModelApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        record_event(actor=actor, verb=Verb.MODEL_API_KEY_REVOKED, target=locked, reason=reason)
    return locked


def _require(actor) -> None:
    if actor is not None and not user_can(actor, Action.MANAGE_MODEL_API_KEYS):
        raise PermissionDenied(f"{actor} may not manage model API keys")


@dataclass(frozen=True)
class Presented:
    """Who a presented key (and end user) names: the customer, its home, and the seat's location if one is named."""

    customer: str
    # Where the customer is incorporated, else headquartered (the decision's default destination without a seat).
    home_country: str | None
    # None: no seat named. ("", None): named but not a person of the customer.
    seat_location: tuple[str, str | None] | None

    @property
    def recorded_country(self) -> str | None:
        """The country the decision goes to when the call's origin is not read."""
        return self.seat_location[1] if self.seat_location is not None else self.home_country


def presented_key(raw: str, *, end_user: str | None = None) -> Presented | None:
    """The customer behind an active key (and the named seat's location), or None if the key is unknown or revoked."""
    rows = ModelApiKey.objects.active().filter(key_hash=hash_key(raw))
    # The seat is read in the same query as the key: one round trip per request.
    seat = Person.objects.filter(customer=OuterRef("customer"), external_id=end_user or "")
    rows = rows.annotate(
        seat_id=Subquery(seat.values("external_id")[:1]),
        seat_country=Subquery(seat.values("location_country_id")[:1]),
    )
    row = rows.values_list(
        "customer__external_id",
        "customer__country_of_incorporation_id",
        "customer__headquarters_country_id",
        "seat_id",
        "seat_country",
    ).first()
    if row is None:
        return None
    customer, incorporated, headquarters, seat_id, seat_country = row
    return Presented(
        customer=customer,
        home_country=incorporated or headquarters,
        seat_location=(seat_id or "", seat_country) if end_user is not None else None,
    )
