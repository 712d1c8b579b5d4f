from django.apps import AppConfig
from django.db.models.signals import post_save


class ApiConfig(AppConfig):
    name = "licensing.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        from licensing.audit.models import Event

        from . import schema  # noqa: F401 - registers the auth schemes with drf-spectacular
        from .webhooks.triggers import on_event_recorded

        post_save.connect(on_event_recorded, sender=Event, dispatch_uid="api.webhooks.on_event_recorded")
