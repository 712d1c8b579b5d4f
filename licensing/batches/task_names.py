"""The registered names of this app's tasks that its services enqueue through the outbox (see the outbox)."""

PREPARE_BATCH = "licensing.batches.tasks.prepare_batch_task"
APPROVE_BATCH = "licensing.batches.tasks.approve_batch_task"
RETURN_STOPPED_BATCH = "licensing.batches.tasks.return_stopped_batch_task"
REDECIDE_BATCH = "licensing.batches.tasks.redecide_batch_task"
