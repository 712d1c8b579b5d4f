from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "licensing.gateway"
    label = "gateway"
    verbose_name = "Gateway enforcement"
