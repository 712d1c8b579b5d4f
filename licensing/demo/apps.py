from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "licensing.demo"
    label = "demo"
