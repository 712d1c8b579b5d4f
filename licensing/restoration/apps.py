from django.apps import AppConfig


class RestorationConfig(AppConfig):
    name = "licensing.restoration"
    label = "restoration"
    verbose_name = "Restoration of service"

    def ready(self):
        from .lookups import register

        register()
