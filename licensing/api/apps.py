from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "licensing.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        from . import schema  # noqa: F401 - registers the auth schemes with drf-spectacular
