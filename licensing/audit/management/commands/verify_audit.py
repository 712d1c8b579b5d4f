from django.core.management.base import BaseCommand, CommandError

from licensing.audit.checkpoints import CheckpointFileInvalid, checkpoint_path, read_checkpoints, verify_log
from licensing.audit.models import Event


class Command(BaseCommand):
    help = (
        "Walk the event log's hash chain and check it reaches every signed checkpoint on file; "
        "report the first problem."
    )

    def handle(self, *args, **options):
        try:
            checkpoints = read_checkpoints()
            result = verify_log(checkpoints)
        except CheckpointFileInvalid as error:
            raise CommandError(f"Checkpoints in {checkpoint_path()}: {error}.") from None
        if not result.ok:
            if result.event_id is None:
                raise CommandError(f"The event log was cut short: {result.problem}.")
            raise CommandError(
                f"Broken link at sequence {result.broken_at} (event id {result.event_id}): {result.problem}. "
                f"{result.checked} events before it verified."
            )
        if checkpoints:
            last = checkpoints[-1]
            anchored = f"it reaches every checkpoint ({len(checkpoints)} on file, the last at sequence {last.sequence})"
        else:
            # A chain with nothing outside to anchor it could have been cut or re-hashed unseen.
            self.stderr.write(
                self.style.WARNING(
                    f"WARNING: no checkpoint has been taken ({checkpoint_path()} does not exist or is empty): "
                    "the chain links, but nothing shows it was not cut short or rewritten. "
                    "Take one with `manage.py audit_checkpoint`."
                )
            )
            anchored = "no checkpoints"
        head = Event.objects.order_by("-sequence").values_list("hash", flat=True).first()
        self.stdout.write(
            self.style.SUCCESS(f"{result.checked} events verified; chain head {head or 'empty'}; {anchored}.")
        )
