"""Screening pages, mounted at /screening/."""

from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("hits/<int:pk>/", views.hit_detail, name="hit"),
    path("hits/<int:pk>/adjudicate/", views.hit_adjudicate, name="hit_adjudicate"),
    path("lists/", views.lists, name="lists"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("rescreens/", views.rescreen_start, name="rescreen_start"),
    path("rescreens/<int:pk>/", views.rescreen_progress, name="rescreen"),
    path("search/", views.search, name="search"),
    path("<str:kind>/<int:pk>/", views.subject, name="subject"),
]
