from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "licensing.outbox"
    label = "outbox"
    verbose_name = "Task outbox"
