from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/settle", views.settle, name="settle"),
    path("preferences", views.preferences, name="preferences"),
    path("calendar", views.calendar_address, name="calendar-address"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
    path("notifications/<int:pk>/read", views.notification_read, name="notification-read"),
]
