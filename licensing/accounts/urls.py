from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.verify, name="two_factor_verify"),
    path("two-factor/", views.two_factor, name="two_factor"),
]
