from django.apps import AppConfig


class DeterminationsConfig(AppConfig):
    name = "licensing.determinations"
    label = "determinations"
