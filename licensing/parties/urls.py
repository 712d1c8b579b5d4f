from django.urls import path

from . import views

urlpatterns = [
    path("evidence/<int:pk>/file", views.evidence_file, name="evidence_file"),
]
