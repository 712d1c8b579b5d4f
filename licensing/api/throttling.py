"""Rate limits: one budget per API token (or signed-in person), one per address for anonymous callers.

Each budget is a counter per fixed window (a minute, say) in the cache,
which production keeps in Redis so every process shares it. DRF's own
throttle keeps a list of every request's time in the window and rewrites it
on each request: at billing's rates that list is thousands of entries long,
and the access check would spend more time on it than on its decision. A
counter costs the same at any rate, at the price of letting a client spend
up to two windows' budget across a window's boundary.

Redis holds no decision: when it cannot be reached, each process counts on
its own (so a client may spend its budget once per process) rather than
refuse every request, says so once in the log, and /readyz reports it.
"""

import logging
import math
import threading
import time

from django.core.cache import cache as default_cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .tokens import ApiClient

log = logging.getLogger(__name__)


class _ProcessCounters:
    """Counters kept in this process while the shared cache is unreachable, and when to ask it again."""

    # After a failure the cache is left alone this long: a frozen Redis
    # would otherwise cost every request its socket timeout.
    RETRY_AFTER_SECONDS = 5.0

    def __init__(self):
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self.degraded = False

    def shared_usable(self) -> bool:
        return not self.degraded or time.monotonic() >= self._retry_at

    def incr(self, key: str, *, expires_at: float) -> int:
        with self._lock:
            now = time.time()
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count, _ = self._counts.get(key, (0, expires_at))
            self._counts[key] = (count + 1, expires_at)
            return count + 1

    def note_unreachable(self, error: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.RETRY_AFTER_SECONDS
            if self.degraded:
                return
            self.degraded = True
        log.warning("rate limits: the cache is unreachable (%s); counting per process until it answers", error)

    def note_reachable(self) -> None:
        if not self.degraded:
            return
        with self._lock:
            self.degraded = False
            self._counts.clear()
        log.warning("rate limits: the cache answers again; counting is shared across processes")


LOCAL_COUNTERS = _ProcessCounters()


class _ReadsRateWhenUsed(SimpleRateThrottle):
    cache = default_cache
    # Seconds per window, set from the rate by SimpleRateThrottle.__init__ (the stubs leave it out).
    duration: int

    def get_rate(self):
        # Read at use, not at import, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident_key = self.get_cache_key(request, view)
        if ident_key is None:
            return True
        now = time.time()
        window = math.floor(now / self.duration)
        key = f"{ident_key}:{window}"
        count = None
        if LOCAL_COUNTERS.shared_usable():
            try:
                count = self._count_shared(key)
            except (RedisError, OSError) as error:
                LOCAL_COUNTERS.note_unreachable(error)
            else:
                LOCAL_COUNTERS.note_reachable()
        if count is None:
            count = LOCAL_COUNTERS.incr(key, expires_at=(window + 1) * self.duration)
        self.seconds_left = (window + 1) * self.duration - now
        return count <= self.num_requests

    def _count_shared(self, key: str) -> int:
        # add() leaves an existing counter alone; incr() is atomic in Redis.
        self.cache.add(key, 0, timeout=self.duration * 2)
        try:
            return self.cache.incr(key)
        except ValueError:
            # The counter expired between the two calls: this request opens it.
            self.cache.set(key, 1, timeout=self.duration * 2)
            return 1

    def wait(self):
        return math.ceil(self.seconds_left)


class ClientRateThrottle(_ReadsRateWhenUsed):
    """Each token has its own budget, whichever address it calls from."""

    scope = "client"

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiClient):
            ident = f"token-{user.token_id}"
        elif user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_ReadsRateWhenUsed):
    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user is not None and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
