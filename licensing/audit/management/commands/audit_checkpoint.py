from django.core.management.base import BaseCommand, CommandError

from licensing.audit.checkpoints import CheckpointRefused, checkpoint_path, take_checkpoint


class Command(BaseCommand):
    help = "Sign the event log's head and append it to the checkpoint file (nothing when the head has not moved)."

    def handle(self, *args, **options):
        try:
            checkpoint = take_checkpoint()
        except CheckpointRefused as error:
            raise CommandError(f"No checkpoint taken: {error}.") from None
        if checkpoint is None:
            self.stdout.write("The log's head has not moved since the last checkpoint (or the log is empty).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint at sequence {checkpoint.sequence} ({checkpoint.hash}) appended to {checkpoint_path()}."
            )
        )
