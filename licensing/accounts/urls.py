from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.verify, name="two_factor_verify"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("sign-in-link/<str:token>/", views.sign_in_link, name="sign_in_link"),
]
