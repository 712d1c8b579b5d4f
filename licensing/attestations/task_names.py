"""The registered names of this app's tasks that its services enqueue through the outbox (see the outbox)."""

SEND_RUN = "licensing.attestations.tasks.send_attestation_run"
