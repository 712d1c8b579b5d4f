"""Rate limits: one budget per API token (or signed-in person), one per address for anonymous callers.

Each budget is a counter per fixed window (a minute, say) in the cache,
which production keeps in Redis so every process shares it. DRF's own
throttle keeps a list of every request's time in the window and rewrites it
on each request: at billing's rates that list is thousands of entries long,
and the access check would spend more time on it than on its decision. A
counter costs the same at any rate, at the price of letting a client spend
up to two windows' budget across a window's boundary.
"""

import math
import time

from django.core.cache import cache as default_cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .tokens import ApiClient


class _ReadsRateWhenUsed(SimpleRateThrottle):
    cache = default_cache

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
        # add() leaves an existing counter alone; incr() is atomic in Redis.
        self.cache.add(key, 0, timeout=self.duration * 2)
        try:
            count = self.cache.incr(key)
        except ValueError:
            # The counter expired between the two calls: this request opens it.
            self.cache.set(key, 1, timeout=self.duration * 2)
            count = 1
        self.seconds_left = (window + 1) * self.duration - now
        return count <= self.num_requests

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
