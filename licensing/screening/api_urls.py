"""Screening endpoints under /api/v1/ (included by licensing.api.urls)."""

from django.urls import path

from . import api_views

urlpatterns = [
    path("screening/search", api_views.SearchView.as_view(), name="api-screening-search"),
    path("screening/hits", api_views.HitListView.as_view(), name="api-screening-hits"),
    path(
        "screening/hits/<int:pk>/adjudication",
        api_views.HitAdjudicationView.as_view(),
        name="api-screening-hit-adjudication",
    ),
    path(
        "customers/<str:external_id>/screening",
        api_views.CustomerScreeningView.as_view(),
        name="api-customer-screening",
    ),
    path(
        "customers/<str:external_id>/persons/<str:person_external_id>/screening",
        api_views.PersonScreeningView.as_view(),
        name="api-person-screening",
    ),
    path(
        "applications/<int:pk>/screening",
        api_views.ApplicationScreeningView.as_view(),
        name="api-application-screening",
    ),
]
