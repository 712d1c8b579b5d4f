from django.apps import AppConfig


class AttestationsConfig(AppConfig):
    name = "licensing.attestations"
    label = "attestations"
    verbose_name = "Customer attestations"
