from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "licensing.batches"
    label = "batches"
    verbose_name = "Batches of determinations"
