from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "licensing.policy"
    label = "policy"
    verbose_name = "Rule changes"
