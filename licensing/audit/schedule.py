"""The beat schedule of the event log's checkpoints and sealer, installed by migrations (see `licensing.beat`)."""

from licensing.beat import Entry

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

SEALER_SCHEDULE = (
    Entry(
        "Audit: seal the event log",
        "licensing.audit.tasks.seal_event_log",
        minute="",
        hour="",
        every_seconds=5,
        # A run still queued after this is dropped: the next one seals the same events.
        expire_seconds=5,
        description=(
            "Links committed events into the hash chain, in order, for any writer whose own sealing after "
            "commit did not reach them. Does nothing when every event is sealed."
        ),
    ),
)
