"""Every endpoint under /api/v1/: each concept keeps its own `api_urls` module."""

from django.urls import include, path, re_path

from .views.base import UnknownEndpointView

urlpatterns = [
    path("", include("licensing.api.api_urls")),
    path("", include("licensing.filings.api_urls")),
    path("", include("licensing.deadlines.api_urls")),
    path("", include("licensing.screening.api_urls")),
    # Last: whatever no app matched is a problem document too, not an HTML page.
    re_path(r"^", UnknownEndpointView.as_view()),
]
