import gc
import os

import django
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings.base")

# What get_wsgi_application() does, with the handler that answers the gateway's question before the middleware.
django.setup(set_prefix=False)

from licensing.api.gateway_handler import GatewayFirstHandler  # noqa: E402 - needs the apps loaded

application = GatewayFirstHandler()

# Import every view now, with the URL configuration, rather than in the first request.
get_resolver().url_patterns  # noqa: B018 - the property imports them
# What is loaded by now lives as long as the process. Frozen, it is left out of
# the collector's full collections, which otherwise walk a quarter of a million
# objects (tens of milliseconds, in the middle of whichever request set one off).
gc.collect()
gc.freeze()
