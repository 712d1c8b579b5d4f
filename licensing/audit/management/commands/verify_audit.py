from django.core.management.base import BaseCommand, CommandError

from licensing.audit.checkpoints import CheckpointFileInvalid, checkpoint_path, read_checkpoints, verify_log
from licensing.audit.models import Event
from licensing.audit.sealing import UNSEALED_LIMIT, unsealed_too_long


class Command(BaseCommand):
    help = (
        "Walk the event log's hash chain and check it reaches every signed checkpoint on file, and that no event "
        "has waited too long to be sealed into it; report the first problem."
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
        unsealed = self._check_unsealed(result.last_sequence)
        head = Event.objects.sealed().order_by("-sequence").values_list("hash", flat=True).first()
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.checked} events verified; chain head {head or 'empty'}; {anchored}"
                + (f"; {unsealed} written in the last moments, awaiting the sealer." if unsealed else ".")
            )
        )

    def _check_unsealed(self, head_sequence: int | None) -> int:
        """Fail on unsealed events that should have been sealed; return how many are waiting as they should."""
        stranded = Event.objects.unsealed().filter(sequence__lt=head_sequence or 0).order_by("sequence").first()
        if stranded is not None:
            raise CommandError(
                f"Event id {stranded.pk} at sequence {stranded.sequence} is not sealed but lies below the chain's "
                f"head (sequence {head_sequence}): it was written around the application, not by it."
            )
        late = unsealed_too_long().order_by("sequence")
        if (oldest := late.first()) is not None:
            minutes = int(UNSEALED_LIMIT.total_seconds() // 60)
            raise CommandError(
                f"{late.count()} events have waited more than {minutes} minutes to be sealed into the chain "
                f"(the oldest: id {oldest.pk}, sequence {oldest.sequence}, written {oldest.occurred_at:%Y-%m-%d %H:%M}"
                " UTC). Unsealed events are not yet tamper-evident. The sealer is not running (beat, or "
                "`manage.py seal_audit`), or a transaction writing events has been open that long."
            )
        return Event.objects.unsealed().count()
