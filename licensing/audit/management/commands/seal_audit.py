from django.core.management.base import BaseCommand, CommandError

from licensing.audit.sealing import SealingRefused, seal_events


class Command(BaseCommand):
    help = "Link every committed event not yet in the hash chain into it, in order (beat does this every few seconds)."

    def handle(self, *args, **options):
        try:
            sealed = seal_events()
        except SealingRefused as error:
            raise CommandError(f"Nothing sealed: {error}") from None
        self.stdout.write(f"{sealed} events sealed." if sealed != 1 else "1 event sealed.")
