from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    name = "licensing.reactions"
    verbose_name = "Reactions to events"

    def ready(self) -> None:
        # The event log calls back into the table; it imports nothing of it.
        # Imported here, not at the top: these modules import models, which
        # Django allows only once every app is loaded, i.e. in ready().
        from licensing.audit.services import install_reactor

        from .dispatch import react, reacting_together

        install_reactor(react, together=reacting_together)
