from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("", views.index, name="index"),
    path("applications/<int:pk>/", views.application_filings, name="application"),
    path("applications/<int:pk>/generate", views.generate, name="generate"),
    path("applications/<int:pk>/legal-hold", views.legal_hold, name="legal_hold"),
    path("applications/<int:pk>/legal-hold/release", views.legal_hold, {"release": True}, name="release_hold"),
    path("applications/<int:pk>/transfer", views.known_transfer, name="known_transfer"),
    path("applications/<int:pk>/destroy", views.destroy, name="destroy"),
    path("<int:pk>/pdf", views.filing_pdf, name="pdf"),
    path("<int:pk>/retry", views.retry, name="retry"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/progress", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download", views.export_download, name="export_download"),
]
