"""The gateway's question answered ahead of Django's middleware, by the same view.

Every model call asks /api/v1/gateway/authorize/<route>. Django's handler
would take each of them through the whole middleware stack (sessions, CSRF,
messages, two-factor, security headers) and the URL resolver, none of which
this view uses: it reads no cookie, renders no page, authenticates by the
model API key it is handed and turns every failure into a refusal itself.
That walk was about a fifth of ExportDesk's CPU per model call. This handler
sends the gateway's paths straight to the view, and every other path, and
any gateway path it is unsure of, through Django as before. The request
signals still fire, so database connections are kept and closed exactly as
for any other request.
"""

import functools

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse, set_urlconf

from .views.gateway_authorize import authorize


@functools.cache
def _gateway_prefix() -> str:
    # "/api/v1/gateway/authorize/": where the URL configuration puts the view, read from it, not repeated here.
    return reverse("api:gateway-authorize", kwargs={"path": ""}).rstrip("/") + "/"


def gateway_route(path_info: str) -> str | None:
    """The model route a gateway path asks about, or None to leave the path to Django's URL resolver.

    Only the plain form is taken here; anything else (no route, a line break
    the URL pattern would not match) goes the long way, to the same answer.
    """
    prefix = _gateway_prefix()
    if not path_info.startswith(prefix) or "\n" in path_info:
        return None
    return path_info[len(prefix) :]


class GatewayFirstHandler(WSGIHandler):
    """Django's WSGI handler, with the gateway's question answered without the middleware."""

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        route = gateway_route(request.path_info)
        if route is None:
            return super().get_response(request)
        set_urlconf(settings.ROOT_URLCONF)
        response = authorize(request, route)
        # As Django's own get_response does: the request's uploaded files are closed with the response.
        response._resource_closers.append(request.close)  # type: ignore[attr-defined]
        return response
