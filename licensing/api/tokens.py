"""API tokens: issued once, kept as a hash, checked on every request, revocable, optionally expiring."""

import datetime
import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from licensing.accounts.permissions import Action, ClientRole, user_can
from licensing.audit.services import record_event
from licensing.cases.facts import CompanionRead
from licensing.outbox.services import send_best_effort

from .models import ApiToken
from .task_names import TOUCH_API_TOKEN

log = logging.getLogger(__name__)

TOKEN_PREFIX = "exd_"  # noqa: S105 - a public marker that makes leaked tokens recognisable
# The last-used time is kept to the minute: recording it at most once a
# minute per token and process keeps writes off the hot path.
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class ApiClient:
    """The caller behind a bearer token, standing where a user would in permission checks."""

    token_id: int
    name: str
    role: str

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    @property
    def effective_role(self) -> str:
        return self.role

    def get_username(self) -> str:
        return f"api:{self.name}"

    def __str__(self):
        return f"API client {self.name}"


def hash_token(raw: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: there is no
    # dictionary to guess from, unlike a password.
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(
    *, actor, name: str, role: str, created_by: str = "", expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for a machine client; returns (token, secret). The secret is never stored.

    With `expires_at` the token is refused from that moment on; without it, it
    works until revoked.
    """
    if actor is not None and not user_can(actor, Action.MANAGE_API_TOKENS):
        raise PermissionDenied(f"{actor} may not issue API tokens")
    name = (name or "").strip()
    errors = {}
    if (problem := expiry_problem(expires_at)) is not None:
        errors["expires_at"] = problem
    if not name or len(name) > 100:
        errors["name"] = "Give a name of 1 to 100 characters."
    elif ApiToken.objects.filter(name=name).exists():
        errors["name"] = f"A token named {name!r} already exists; revoke it or choose another name."
    if role not in ClientRole.values:
        errors["role"] = f"Use one of: {', '.join(ClientRole.values)}."
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            role=role,
            prefix=raw[:12],
            key_hash=hash_token(raw),
            created_by=created_by or (actor.get_username() if actor is not None else ""),
            expires_at=expires_at,
        )
        record_event(
            actor=actor,
            verb="api_token.issued",
            target=token,
            after={"name": name, "role": role, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    return token, raw


def set_api_token_expiry(*, actor, token: ApiToken, expires_at: datetime.datetime | None) -> ApiToken:
    """Give a token a new expiry, or none; the next request after it is refused."""
    if actor is not None and not user_can(actor, Action.MANAGE_API_TOKENS):
        raise PermissionDenied(f"{actor} may not change API tokens")
    if (problem := expiry_problem(expires_at)) is not None:
        raise ValidationError({"expires_at": problem})
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ValidationError({"expires_at": "The token is revoked; issue a new one."})
        before = locked.expires_at
        if before == expires_at:
            return locked
        locked.expires_at = expires_at
        locked.save(update_fields=["expires_at"])
        record_event(
            actor=actor,
            verb="api_token.expiry_changed",
            target=locked,
            before={"expires_at": before.isoformat() if before else None},
            after={"expires_at": expires_at.isoformat() if expires_at else None},
        )
    return locked


def expiry_problem(expires_at: datetime.datetime | None) -> str | None:
    """Say why `expires_at` cannot be a token's expiry, or None when it can (None: never expires)."""
    if expires_at is None:
        return None
    if timezone.is_naive(expires_at):
        return "Give the moment with its time zone."
    if expires_at <= timezone.now():
        return "Give a moment in the future; to stop a token now, revoke it."
    return None


def revoke_api_token(*, actor, token: ApiToken, reason: str) -> ApiToken:
    """Revoke a token; the next request made with it is refused."""
    if actor is not None and not user_can(actor, Action.MANAGE_API_TOKENS):
        raise PermissionDenied(f"{actor} may not revoke API tokens")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the token is revoked."})
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        record_event(actor=actor, verb="api_token.revoked", target=locked, reason=reason)
    return locked


def client_for(raw: str) -> ApiClient | None:
    """Return the client a presented token belongs to, or None if it is unknown, revoked or expired."""
    # A plain cursor: this runs on every API call, and the ORM's per-query
    # cost would be most of a small request.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(CLIENT_COLUMNS)} {CLIENT_SOURCE}", {"key_hash": hash_token(raw)})
        return client_from_row(cursor.fetchone())


def client_from_row(row) -> ApiClient | None:
    """The client a row of CLIENT_COLUMNS names (None: no valid token), its use noted."""
    if row is None or _expired(row[3]):
        return None
    client = ApiClient(token_id=int(row[0]), name=row[1], role=row[2])
    _note_use(client.token_id)
    return client


def _expired(expires_at: str | None) -> bool:
    # Compared here, not in SQL, so that it is this moment's clock that decides:
    # PostgreSQL's now() is the start of the transaction, and the statement is
    # prepared once for both PostgreSQL and SQLite.
    if expires_at is None:
        return False
    try:
        moment = datetime.datetime.fromisoformat(expires_at)
    except ValueError:
        log.error("API token expiry %r is unreadable; the token is refused", expires_at)
        return True
    if timezone.is_naive(moment):
        # SQLite keeps times as UTC without an offset.
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment <= timezone.now()


# Who holds a valid token: the columns (as text) and where they are read.
# The table name is the model's own, not input; the key hash is a parameter.
# An expired token is still read, then refused by client_from_row.
CLIENT_COLUMNS = ("CAST(t.id AS TEXT)", "t.name", "t.role", "CAST(t.expires_at AS TEXT)")
CLIENT_SOURCE = f"FROM {ApiToken._meta.db_table} t WHERE t.key_hash = %(key_hash)s AND t.revoked_at IS NULL"  # noqa: S608

# The access check reads the token in the same statement as the decision's facts.
CLIENT_READ = CompanionRead(
    name="client",
    columns=CLIENT_COLUMNS,
    source=CLIENT_SOURCE.replace("%(key_hash)s", "%(companion)s"),
)

_last_noted: dict[int, float] = {}
_last_noted_lock = threading.Lock()


def _note_use(token_id: int) -> None:
    now = time.monotonic()
    with _last_noted_lock:
        if now - _last_noted.get(token_id, -LAST_USED_RESOLUTION_SECONDS) < LAST_USED_RESOLUTION_SECONDS:
            return
        _last_noted[token_id] = now
    try:
        send_best_effort(TOUCH_API_TOKEN, token_id, timezone.now().isoformat())
    except Exception:
        # Bookkeeping only: an unreachable broker must not turn away a request.
        log.warning("could not record the last use of API token %s", token_id, exc_info=True)


def record_last_use(*, token_id: int, used_at) -> None:
    """Move a token's last-used time forward (never back: deliveries can arrive out of order)."""
    ApiToken.objects.filter(pk=token_id).exclude(last_used_at__gte=used_at).update(last_used_at=used_at)
