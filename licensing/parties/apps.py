from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "licensing.parties"
    label = "parties"
