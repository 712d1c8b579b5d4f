"""The beat schedule of the event log's checkpoints, installed by a migration (see `licensing.ops.beat`)."""

from licensing.ops.beat import Entry

SCHEDULE = (
    Entry(
        "Audit: checkpoint the event log",
        "licensing.audit.tasks.take_audit_checkpoint",
        minute="*/15",
        hour="*",
        description=(
            "Signs the event log's head into the private storage and the log stream, so a log cut short or "
            "rewritten after it fails verify_audit. Does nothing when the head has not moved."
        ),
    ),
)
