from django.core.management.base import BaseCommand

from licensing.outbox.models import OutboxMessage
from licensing.outbox.services import relay


class Command(BaseCommand):
    help = "Send the task messages still waiting in the outbox, oldest first (beat does this every few seconds)."

    def handle(self, *args, **options):
        sent = relay()
        waiting = OutboxMessage.objects.unsent().count()
        self.stdout.write(f"{sent} sent, {waiting} waiting")
