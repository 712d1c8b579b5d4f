"""Counting failed attempts against a key and locking it, atomically, on PostgreSQL and SQLite alike.

An attempt takes a slot *before* the secret is checked, by one conditional
UPDATE of the key's row. Checking first and counting afterwards let 40
parallel guesses through a limit of 5: each read the count before any of the
others had written theirs. A row UPDATE waits for the row lock and re-reads
the row it then changes, so of any number of concurrent attempts exactly as
many as there are free slots get one. An attempt that turns out right gives
its slot back (`forgive`) or clears the key (`clear`).
"""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from .models import Throttle, ThrottleScope


def lockout_period() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def username_key(username: str) -> str:
    # Usernames are matched without regard to case, as the failures always were.
    return username.strip().lower()[:150]


@dataclasses.dataclass(frozen=True)
class Attempt:
    scope: ThrottleScope
    key: str
    allowed: bool
    # True for the one attempt whose slot was the last: it locked the key.
    locked_it: bool = False
    locked_until: datetime.datetime | None = None


def take_slot(*, scope: ThrottleScope, key: str, limit: int) -> Attempt:
    """Count one attempt against the key, or refuse it while the key is locked."""
    now = timezone.now()
    period = lockout_period()
    lock_ends = now + period
    Throttle.objects.get_or_create(scope=scope, key=key, defaults={"window_started_at": now})
    # Failures older than the period are forgotten: the count starts again at this attempt.
    stale = Q(window_started_at__lte=now - period)
    if limit <= 1:
        locks = Q(pk__isnull=False)
    else:
        locks = Q(window_started_at__gt=now - period, failures__gte=limit - 1)
    taken = (
        Throttle.objects.filter(scope=scope, key=key)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(
            failures=Case(When(stale, then=Value(1)), default=F("failures") + 1),
            window_started_at=Case(When(stale, then=Value(now)), default=F("window_started_at")),
            locked_until=Case(When(locks, then=Value(lock_ends)), default=Value(None, output_field=DateTimeField())),
            locked_at=Case(When(locks, then=Value(now)), default=F("locked_at")),
        )
    )
    if not taken:
        row = Throttle.objects.filter(scope=scope, key=key).values("locked_until").first()
        return Attempt(scope, key, allowed=False, locked_until=row["locked_until"] if row else None)
    # Only the attempt that wrote this lock carries its exact timestamp: the row was ours while we wrote it.
    locked_it = Throttle.objects.filter(scope=scope, key=key, locked_at=now, locked_until=lock_ends).exists()
    return Attempt(scope, key, allowed=True, locked_it=locked_it, locked_until=lock_ends if locked_it else None)


def forgive(attempt: Attempt) -> None:
    """Give back the slot of an attempt that was not a failure (right, or never checked)."""
    Throttle.objects.filter(scope=attempt.scope, key=attempt.key, failures__gt=0).update(
        failures=F("failures") - 1, locked_until=None
    )


def clear(*, scope: ThrottleScope, key: str) -> int:
    """Forget every failure counted against the key and lift its lock."""
    return Throttle.objects.filter(scope=scope, key=key).update(failures=0, locked_until=None)


def is_locked(*, scope: ThrottleScope, key: str) -> bool:
    return Throttle.objects.filter(scope=scope, key=key, locked_until__gt=timezone.now()).exists()
