import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings.base")

application = get_wsgi_application()

# Import every view now, with the URL configuration, rather than in the first request.
get_resolver().url_patterns  # noqa: B018 - the property imports them
# What is loaded by now lives as long as the process. Frozen, it is left out of
# the collector's full collections, which otherwise walk a quarter of a million
# objects (tens of milliseconds, in the middle of whichever request set one off).
gc.collect()
gc.freeze()
