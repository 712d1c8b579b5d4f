from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "licensing.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        # Imported for its side effect, in ready() as Django advises for
        # registrations: once, after every app (and the REST framework) is loaded.
        from . import schema  # noqa: F401 - registers the auth schemes with drf-spectacular
