"""Every endpoint under /api/v1/: each concept keeps its own `api_urls` module."""

from django.urls import include, path

urlpatterns = [
    path("", include("licensing.api.api_urls")),
    path("", include("licensing.filings.api_urls")),
    path("", include("licensing.deadlines.api_urls")),
    path("", include("licensing.screening.api_urls")),
]
