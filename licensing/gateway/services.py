"""Registering and revoking the model-serving platform's API keys, and finding the key a request presents."""

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.audit.verbs import Verb
from licensing.cases.facts import CompanionRead
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
        locked = ModelApiKey.objects.select_for_update(no_key=True).get(pk=key.pk)
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


# Who an active key names: its customer and, when the call names a seat, that person of the customer. One
# statement, as text columns, with the key's hash followed by the seat (if any) as its one parameter: read on
# its own for a key this process has not seen, or beside the decision's stamp, costing no round trip, for a
# key it has (KEY_READ). Plain SQL that SQLite runs too. Table names are the models' own, not input.
_KEY_COLUMNS = (
    "c.external_id",
    "CAST(c.country_of_incorporation_id AS TEXT)",
    "CAST(c.headquarters_country_id AS TEXT)",
    "seat.external_id",
    "CAST(seat.location_country_id AS TEXT)",
)
# The hash is 64 hexadecimal characters; the seat, if named, follows it.
_HASH, _SEAT = "substr(%(companion)s, 1, 64)", "substr(%(companion)s, 65)"
_KEY_SOURCE = (
    f"FROM {ModelApiKey._meta.db_table} k JOIN {Customer._meta.db_table} c ON c.id = k.customer_id "  # noqa: S608
    # A named seat is unique within its customer (person_external_id_unique_per_customer): one row at most.
    f"LEFT JOIN {Person._meta.db_table} seat ON seat.customer_id = k.customer_id "
    f"AND seat.external_id = {_SEAT} AND seat.external_id <> '' "
    f"WHERE k.key_hash = {_HASH} AND k.revoked_at IS NULL"
)
KEY_READ = CompanionRead(name="model_key", columns=_KEY_COLUMNS, source=_KEY_SOURCE)
_KEY_SQL = f"SELECT {', '.join(_KEY_COLUMNS)} {_KEY_SOURCE}"


def key_read_value(raw: str, end_user: str | None) -> str:
    """The parameter of KEY_READ for a presented key and seat."""
    return hash_key(raw) + (end_user or "")


def presented_key(raw: str, *, end_user: str | None = None) -> Presented | None:
    """The customer behind an active key (and the named seat's location), or None if the key is unknown or revoked."""
    with connection.cursor() as cursor:
        cursor.execute(_KEY_SQL, {"companion": key_read_value(raw, end_user)})
        rows = cursor.fetchall()
    return presented_from_rows(rows, end_user=end_user)


def presented_from_rows(rows: list[tuple], *, end_user: str | None) -> Presented | None:
    """What KEY_READ's rows say the key names, or None when they hold no active key."""
    if not rows:
        return None
    customer, incorporated, headquarters, seat_id, seat_country = rows[0]
    return Presented(
        customer=customer,
        home_country=incorporated or headquarters,
        seat_location=(seat_id or "", seat_country) if end_user is not None else None,
    )


class _RememberedKeys:
    """What keys this process has seen name, by (key hash, seat); the least recently used go first.

    Only a guess of whom to ask about: a call that uses one reads the key again
    beside the decision's stamp (KEY_READ), and the answer stands only if the
    key still names the same customer and seat, so a revoked key is refused on
    the very next call.
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple[str, str | None], Presented] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, raw: str, end_user: str | None) -> Presented | None:
        with self._lock:
            key = (hash_key(raw), end_user)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, raw: str, end_user: str | None, presented: Presented) -> None:
        with self._lock:
            key = (hash_key(raw), end_user)
            self._entries[key] = presented
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, raw: str, end_user: str | None) -> None:
        with self._lock:
            self._entries.pop((hash_key(raw), end_user), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# The platform's busy keys and seats: a few thousand cover an hour's traffic of one process.
REMEMBERED_KEYS = _RememberedKeys(size=4096)
