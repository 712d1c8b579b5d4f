"""The browser UI's answer when the database, the cache or the task queue cannot be reached: a plain 503 page."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from licensing.api.errors import QUEUE_OR_CACHE_UNREACHABLE

log = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError, *QUEUE_OR_CACHE_UNREACHABLE)
RETRY_AFTER_SECONDS = 30


class ServiceUnavailableMiddleware:
    """Turn an unreachable dependency into a 503 saying so, with Retry-After, instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNAVAILABLE):
            return None
        log.error("%s %s: a service it needs is unreachable", request.method, request.path, exc_info=exception)
        # Rendered without the request: its context processors would ask the
        # database (the signed-in user) that may be what is down.
        response = HttpResponse(render_to_string("ops/unavailable.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
