"""Work that follows every committed state change, in one place.

`StateMachine.apply` calls `after_transition` inside its database
transaction; anything here that reaches outside (tasks, webhooks) must be
scheduled with `transaction.on_commit` so it never runs for a rolled-back change.
"""

from licensing.deadlines.triggers import recompute_after_commit


def after_transition(obj, *, transition, before: str, actor) -> None:
    """Schedule the side effects of a transition of obj from `before` to its new status."""
    # Deadlines are derived from the case's events; this move may start, stop or close a clock.
    recompute_after_commit(obj)
    # Filings: approval for filing queues the documents for BIS. Imported here
    # because the filings app imports the case workflow, which imports this module.
    from licensing.filings.triggers import after_application_transition

    after_application_transition(obj, actor=actor)
    # Webhooks: deliveries are written in this transaction and sent after it
    # commits. Imported here for the same reason as the filings trigger.
    from licensing.api.webhooks.triggers import on_transition

    on_transition(obj, transition=transition, before=before)
