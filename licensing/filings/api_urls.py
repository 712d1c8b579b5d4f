"""The filings API under /api/v1/; an id is any one path segment, checked by the view."""

from django.urls import path, re_path

from . import api

APPLICATION = r"(?P<application_id>[^/]+)"
FILING = r"(?P<filing_id>[^/]+)"
PACKAGE = r"(?P<package_id>[^/]+)"

urlpatterns = [
    re_path(
        rf"^applications/{APPLICATION}/filings$", api.ApplicationFilingsView.as_view(), name="api-application-filings"
    ),
    re_path(rf"^filings/{FILING}$", api.FilingView.as_view(), name="api-filing"),
    re_path(rf"^filings/{FILING}/pdf$", api.FilingPdfView.as_view(), name="api-filing-pdf"),
    path("exports", api.ExportsView.as_view(), name="api-exports"),
    re_path(rf"^exports/{PACKAGE}$", api.ExportView.as_view(), name="api-export"),
    re_path(rf"^exports/{PACKAGE}/zip$", api.ExportZipView.as_view(), name="api-export-zip"),
]
