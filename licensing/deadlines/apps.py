from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "licensing.deadlines"
    label = "deadlines"
