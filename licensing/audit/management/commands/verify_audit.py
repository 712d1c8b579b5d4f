from django.core.management.base import BaseCommand, CommandError

from licensing.audit.chain import verify_chain
from licensing.audit.models import Event


class Command(BaseCommand):
    help = "Walk the event log's hash chain and report the first broken link."

    def handle(self, *args, **options):
        result = verify_chain(Event.objects.order_by("sequence").iterator(chunk_size=2000))
        if not result.ok:
            raise CommandError(
                f"Broken link at sequence {result.broken_at} (event id {result.event_id}): {result.problem}. "
                f"{result.checked} events before it verified."
            )
        head = Event.objects.order_by("-sequence").values_list("hash", flat=True).first()
        self.stdout.write(self.style.SUCCESS(f"{result.checked} events verified; chain head {head or 'empty'}."))
