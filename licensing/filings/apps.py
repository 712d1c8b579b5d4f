from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "licensing.filings"
    label = "filings"
