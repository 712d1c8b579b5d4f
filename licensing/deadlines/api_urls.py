from django.urls import path

from .api import DeadlineList

urlpatterns = [
    path("deadlines", DeadlineList.as_view(), name="api-deadlines"),
]
