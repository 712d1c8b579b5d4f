"""Rate limits: one budget per API token (or signed-in person), one per address for anonymous callers."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .tokens import ApiClient


class _ReadsRateWhenUsed(SimpleRateThrottle):
    def get_rate(self):
        # Read at use, not at import, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


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
