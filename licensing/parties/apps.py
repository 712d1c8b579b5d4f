from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "licensing.parties"
    label = "parties"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="parties.register_sqlite_fold")
