from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "licensing.cases"
    label = "cases"
