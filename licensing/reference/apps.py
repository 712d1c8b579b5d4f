from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "licensing.reference"
    label = "reference"
