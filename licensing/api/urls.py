"""Every endpoint under /api/v1/: the API's own, namespaced `api:` (api_urls), then filings, deadlines and screening.

An id in a filings path is any one segment, so a malformed one reaches the view and is answered with a problem
document naming it. The names below (api-filing, api-deadlines, ...) are the ones these endpoints have always had.
"""

from django.urls import include, path, re_path

from .views import deadlines, filings, restoration, screening
from .views.base import UnknownEndpointView

APPLICATION = r"(?P<application_id>[^/]+)"
FILING = r"(?P<filing_id>[^/]+)"
PACKAGE = r"(?P<package_id>[^/]+)"

filings_urls = [
    re_path(
        rf"^applications/{APPLICATION}/filings$",
        filings.ApplicationFilingsView.as_view(),
        name="api-application-filings",
    ),
    re_path(rf"^filings/{FILING}$", filings.FilingView.as_view(), name="api-filing"),
    re_path(rf"^filings/{FILING}/pdf$", filings.FilingPdfView.as_view(), name="api-filing-pdf"),
    path("exports", filings.ExportsView.as_view(), name="api-exports"),
    re_path(rf"^exports/{PACKAGE}$", filings.ExportView.as_view(), name="api-export"),
    re_path(rf"^exports/{PACKAGE}/zip$", filings.ExportZipView.as_view(), name="api-export-zip"),
]

deadlines_urls = [
    path("deadlines", deadlines.DeadlineList.as_view(), name="api-deadlines"),
]

screening_urls = [
    path("screening/search", screening.SearchView.as_view(), name="api-screening-search"),
    path("screening/hits", screening.HitListView.as_view(), name="api-screening-hits"),
    path(
        "screening/versions/<int:pk>/changes",
        screening.ListChangesView.as_view(),
        name="api-screening-list-changes",
    ),
    path(
        "screening/hits/<int:pk>/adjudication",
        screening.HitAdjudicationView.as_view(),
        name="api-screening-hit-adjudication",
    ),
    path(
        "customers/<str:external_id>/screening",
        screening.CustomerScreeningView.as_view(),
        name="api-customer-screening",
    ),
    path(
        "customers/<str:external_id>/persons/<str:person_external_id>/screening",
        screening.PersonScreeningView.as_view(),
        name="api-person-screening",
    ),
    path(
        "applications/<int:pk>/screening",
        screening.ApplicationScreeningView.as_view(),
        name="api-application-screening",
    ),
]

restoration_urls = [
    path("restoration/figures", restoration.RestorationFiguresView.as_view(), name="api-restoration-figures"),
    re_path(r"^restoration/imports/(?P<run_id>[-+]?[0-9]+)$", restoration.ImportView.as_view(), name="api-import-run"),
    re_path(r"^restoration/imports/(?P<kind>[^/]+)$", restoration.ImportListView.as_view(), name="api-imports"),
]

urlpatterns = [
    path("", include("licensing.api.api_urls")),
    *filings_urls,
    *deadlines_urls,
    *screening_urls,
    *restoration_urls,
    # Last: whatever no app matched is a problem document too, not an HTML page.
    re_path(r"^", UnknownEndpointView.as_view()),
]
