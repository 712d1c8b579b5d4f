"""Metering a licence's model calls and tokens at the gateway: one Redis script checks and counts each call.

A licence may authorise a number of calls (`Licence.authorised_calls`) and of
tokens (`authorised_tokens`, counted as each call declares them in
X-Token-Estimate). Every call under such a licence runs COUNT_CALL in Redis,
which refuses the call if it would pass the limit and otherwise counts it, in
one step: Redis runs one script at a time, so calls made together can never
count past the limit between them.

Redis may count only as far as PostgreSQL has granted it (MeteredUsage's
`calls_granted`, `tokens_granted`), a twentieth of the allowance at a time.
A counter Redis no longer has (flushed, evicted, a new server) starts again
from what was granted, presumed used: a lost counter costs at most one
grant, and never hands out the same allowance twice. The reconciliation
task copies Redis's counts into MeteredUsage for the records.

A licence's grants are made one at a time, each from asking PostgreSQL until
Redis is told of it (`_granting`), and the call that asked for a grant is
counted in the same script that raises the ceiling: so a grant told late is
never taken for a lost one, and other calls cannot use it up first.

Fail closed: with Redis unreachable, slow (GATEWAY_METERING_TIMEOUT_MS) or
not configured, a call under a metered licence is refused; a call under a
licence that is not metered never asks Redis.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.exceptions import RedisError
from redis.retry import Retry

from licensing.audit.services import record_event
from licensing.audit.verbs import Verb
from licensing.cases.models import METERED_MAXIMUM, Licence

from .models import MeteredUsage

log = logging.getLogger(__name__)

# How many tokens a call may use, declared by the caller (the request's max_tokens): a whole number.
TOKEN_ESTIMATE_HEADER = "X-Token-Estimate"  # noqa: S105 - a header name, not a secret
CALLS_LEFT_HEADER = "X-ExportDesk-Calls-Left"
TOKENS_LEFT_HEADER = "X-ExportDesk-Tokens-Left"

COUNTER_PREFIX = "exportdesk:meter:"
# Redis counts a twentieth of an allowance between grants: a lost counter costs at most that much of it.
GRANT_SHARE = 20
# The class of the advisory locks that make a licence's grants one at a time (the licence's id is the object).
GRANTING_LOCK_CLASS = 0x4D455452  # "METR"

# KEYS[1]: the licence's counter, a hash of calls, tokens and the ceilings granted for each.
# ARGV[1], ARGV[2]: the licence's limits of calls and tokens ("" when not limited); ARGV[3]: the call's tokens.
# ARGV[4..7], sent after a grant: the counts a missing counter starts from, and the ceilings granted.
# Returns {outcome, calls counted, tokens counted}; outcome is counted, calls_used_up, tokens_used_up,
# ungranted (past the ceiling: grant more and ask again) or unseeded (no counter: grant and ask again).
COUNT_CALL = """
local key = KEYS[1]
local calls_limit = tonumber(ARGV[1])
local tokens_limit = tonumber(ARGV[2])
local asked = tonumber(ARGV[3])
if ARGV[4] then
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'calls', ARGV[4], 'tokens', ARGV[5], 'calls_ceiling', ARGV[4], 'tokens_ceiling', ARGV[5])
  end
  if tonumber(ARGV[6]) > tonumber(redis.call('HGET', key, 'calls_ceiling')) then
    redis.call('HSET', key, 'calls_ceiling', ARGV[6])
  end
  if tonumber(ARGV[7]) > tonumber(redis.call('HGET', key, 'tokens_ceiling')) then
    redis.call('HSET', key, 'tokens_ceiling', ARGV[7])
  end
end
local counter = redis.call('HMGET', key, 'calls', 'tokens', 'calls_ceiling', 'tokens_ceiling')
if not counter[1] then
  return {'unseeded', 0, 0}
end
local calls, tokens = tonumber(counter[1]), tonumber(counter[2])
if calls_limit and calls + 1 > calls_limit then
  return {'calls_used_up', calls, tokens}
end
if tokens_limit and tokens + asked > tokens_limit then
  return {'tokens_used_up', calls, tokens}
end
if (calls_limit and calls + 1 > tonumber(counter[3])) or (tokens_limit and tokens + asked > tonumber(counter[4])) then
  return {'ungranted', calls, tokens}
end
calls = redis.call('HINCRBY', key, 'calls', 1)
tokens = redis.call('HINCRBY', key, 'tokens', asked)
return {'counted', calls, tokens}
"""


class MeteringUnavailable(Exception):
    """The counter cannot be asked: Redis is not configured, unreachable or too slow."""


@dataclass(frozen=True)
class Metered:
    """What metering says of one call: allowed (with what is left, as headers) or refused (status, code, detail)."""

    refusal: tuple[int, str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


NOT_METERED = Metered()


@dataclass(frozen=True)
class Grant:
    """What a grant tells the counter: the counts a missing counter starts from, and how far it may count."""

    calls_from: int
    tokens_from: int
    calls_ceiling: int
    tokens_ceiling: int


def count_call(licence: Licence | None, *, declared_tokens: str | None) -> Metered:
    """Count one call against its licence's limits, or say why it is refused; a licence not metered is not asked."""
    if licence is None or not licence.is_metered:
        return NOT_METERED
    tokens = _declared(declared_tokens)
    if tokens is None or (declared_tokens is None and licence.authorised_tokens is not None):
        return Metered(
            refusal=(
                403,
                "token_estimate_required",
                f"Licence {licence.number} limits tokens: declare the call's tokens in {TOKEN_ESTIMATE_HEADER} "
                f"(a whole number up to {METERED_MAXIMUM:,}).",
            )
        )
    try:
        outcome, calls_counted, tokens_counted = _count(licence, tokens, grant=None)
        if outcome in ("unseeded", "ungranted"):
            with _granting(licence):
                # Asked again: the grant this call waited behind may have left room for it.
                outcome, calls_counted, tokens_counted = _count(licence, tokens, grant=None)
                if outcome in ("unseeded", "ungranted"):
                    grant = grant_allowance(licence=licence, calls=1, tokens=tokens)
                    outcome, calls_counted, tokens_counted = _count(licence, tokens, grant=grant)
    except (RedisError, MeteringUnavailable) as error:
        log.warning("metering is unavailable (%s); a call under licence %s is refused", error, licence.number)
        return Metered(
            refusal=(
                503,
                "metering_unavailable",
                f"Metering is unavailable: the calls of licence {licence.number} are counted against its limit "
                "and cannot be counted now; the call is not allowed.",
            )
        )
    if outcome == "counted":
        return Metered(headers=_left(licence, calls_counted, tokens_counted))
    if outcome == "calls_used_up":
        detail = f"Licence {licence.number} authorises {licence.authorised_calls} model calls; all are used."
        return Metered(refusal=(403, "allowance_used", detail))
    if outcome == "tokens_used_up":
        left = (licence.authorised_tokens or 0) - tokens_counted
        detail = f"Licence {licence.number} has {max(left, 0)} tokens left; this call declares {tokens}."
        return Metered(refusal=(403, "allowance_used", detail))
    # Not expected: a grant made under the lock leaves room for the call that asked for it. Safe to refuse.
    return Metered(
        refusal=(503, "metering_busy", f"Licence {licence.number}'s calls could not be counted now; try again.")
    )


_granting_in_process = threading.Lock()


@contextmanager
def _granting(licence: Licence) -> Iterator[None]:
    """Hold this licence's grants to one at a time, from asking PostgreSQL until Redis is told.

    Told out of order, a later grant would find no counter yet and start one
    presuming the earlier grant used (the licence losing calls it authorises),
    and calls with no grant could count into the earlier grant's share before
    the call that asked for it. A session lock, not the row lock: it must last
    past the grant's commit, which comes before Redis is told.
    """
    if connection.vendor != "postgresql":
        # The embedded default: one process, and SQLite runs one write at a time.
        with _granting_in_process:
            yield
        return
    key = [GRANTING_LOCK_CLASS, licence.pk & 0x7FFFFFFF]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def grant_allowance(*, licence: Licence, calls: int, tokens: int) -> Grant:
    """Grant the counter a further share of the licence's allowance, enough for at least this call."""
    with transaction.atomic():
        # Locked: two grants at once would each start a lost counter from the same figure.
        usage, _ = MeteredUsage.objects.select_for_update(no_key=True).get_or_create(licence_id=licence.pk)
        # A lost counter starts from everything granted so far (presumed used); a dimension
        # without a limit only keeps records, and starts from what was last reconciled.
        calls_from = usage.calls_granted if licence.authorised_calls is not None else usage.calls
        tokens_from = usage.tokens_granted if licence.authorised_tokens is not None else usage.tokens
        if licence.authorised_calls is not None:
            usage.calls_granted = _granted(licence.authorised_calls, usage.calls_granted, calls)
        if licence.authorised_tokens is not None:
            usage.tokens_granted = _granted(licence.authorised_tokens, usage.tokens_granted, tokens)
        usage.save(update_fields=["calls_granted", "tokens_granted"])
    # Told to Redis only after the grant is committed: the counter never counts past what PostgreSQL keeps.
    return Grant(calls_from, tokens_from, usage.calls_granted, usage.tokens_granted)


def reconcile_metered_usage(*, batch_size: int = 500) -> int:
    """Copy each metered licence's counts from Redis into its MeteredUsage; returns how many records changed.

    Idempotent and never backwards: a record takes the larger of its count
    and Redis's, so running it again, or after Redis lost a counter, changes nothing.
    """
    changed = 0
    rows = MeteredUsage.objects.order_by("pk").values_list("pk", "licence_id", "calls", "tokens")
    for batch in _batches(rows.iterator(chunk_size=batch_size), batch_size):
        # Asked only when there is something to copy: with no metered licence, no Redis is needed.
        pipeline = _client().pipeline(transaction=False)
        for _, licence_id, _, _ in batch:
            pipeline.hmget(counter_key(licence_id), "calls", "tokens")
        counts = pipeline.execute()
        now = timezone.now()
        for (pk, _, calls, tokens), (counted_calls, counted_tokens) in zip(batch, counts, strict=True):
            if counted_calls is None:
                continue
            counted_calls, counted_tokens = int(counted_calls), int(counted_tokens)
            if counted_calls <= calls and counted_tokens <= tokens:
                continue
            MeteredUsage.objects.filter(pk=pk).update(
                calls=Greatest("calls", counted_calls), tokens=Greatest("tokens", counted_tokens), reconciled_at=now
            )
            changed += 1
    mark_used_up_allowances()
    return changed


def mark_used_up_allowances() -> int:
    """Say once, as an event, of each metered licence whose calls or tokens are now all counted; return how many.

    From the reconciled counts: the gateway already refuses the next call by
    Redis's count; this is for the officers and billing, who then know the
    customer needs a new licence to go on.
    """
    counted_in_full = Q(licence__authorised_calls__isnull=False, calls__gte=F("licence__authorised_calls")) | Q(
        licence__authorised_tokens__isnull=False, tokens__gte=F("licence__authorised_tokens")
    )
    marked = 0
    for pk in MeteredUsage.objects.filter(counted_in_full, used_up_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and asked again: a reconciliation running beside this one says it once, not twice.
            usage = (
                MeteredUsage.objects.select_for_update(no_key=True, of=("self",))
                .select_related("licence")
                .filter(pk=pk, used_up_at__isnull=True)
                .first()
            )
            if usage is None:
                continue
            usage.used_up_at = timezone.now()
            usage.save(update_fields=["used_up_at"])
            licence = usage.licence
            record_event(
                actor=None,
                verb=Verb.LICENCE_ALLOWANCE_USED_UP,
                target=licence,
                after={
                    "calls": usage.calls,
                    "authorised_calls": licence.authorised_calls,
                    "tokens": usage.tokens,
                    "authorised_tokens": licence.authorised_tokens,
                },
            )
            marked += 1
    return marked


def counter_key(licence_id: int) -> str:
    return f"{COUNTER_PREFIX}{licence_id}"


def _declared(header: str | None) -> int | None:
    """The tokens a call declares: 0 when it declares none, None when the header is not a whole number in range."""
    if header is None:
        return 0
    header = header.strip()
    if not header.isascii() or not header.isdigit() or len(header) > 16:
        return None
    tokens = int(header)
    return tokens if tokens <= METERED_MAXIMUM else None


def _granted(limit: int, granted: int, needed: int) -> int:
    return min(limit, granted + max(needed, limit // GRANT_SHARE, 1))


def _count(licence: Licence, tokens: int, *, grant: Grant | None) -> tuple[str, int, int]:
    args: list[int | str] = [
        "" if licence.authorised_calls is None else licence.authorised_calls,
        "" if licence.authorised_tokens is None else licence.authorised_tokens,
        tokens,
    ]
    if grant is not None:
        args += [grant.calls_from, grant.tokens_from, grant.calls_ceiling, grant.tokens_ceiling]
    outcome, calls, counted_tokens = _script()(keys=[counter_key(licence.pk)], args=args)
    return outcome.decode() if isinstance(outcome, bytes) else outcome, int(calls), int(counted_tokens)


def _left(licence: Licence, calls: int, tokens: int) -> dict[str, str]:
    headers = {}
    if licence.authorised_calls is not None:
        headers[CALLS_LEFT_HEADER] = str(max(licence.authorised_calls - calls, 0))
    if licence.authorised_tokens is not None:
        headers[TOKENS_LEFT_HEADER] = str(max(licence.authorised_tokens - tokens, 0))
    return headers


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


# One client (and its connection pool) per Redis and timeout, made on first use: settings are not read at import.
_clients: dict[tuple[str, float], tuple[redis.Redis, Script]] = {}
_clients_lock = threading.Lock()


def _client() -> redis.Redis:
    return _connected()[0]


def _script() -> Script:
    return _connected()[1]


def _connected() -> tuple[redis.Redis, Script]:
    url = settings.GATEWAY_METERING_URL
    if not url:
        raise MeteringUnavailable("GATEWAY_METERING_URL is not set")
    timeout = settings.GATEWAY_METERING_TIMEOUT_MS / 1000
    with _clients_lock:
        connected = _clients.get((url, timeout))
        if connected is None:
            # Short timeouts and no retries: a Redis that is down or frozen refuses the call within the timeout.
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=timeout,
                socket_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
                health_check_interval=0,
            )
            connected = _clients[(url, timeout)] = (client, client.register_script(COUNT_CALL))
        return connected
