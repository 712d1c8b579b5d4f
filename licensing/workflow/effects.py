"""Work that follows every committed state change, in one place.

`StateMachine.apply` calls `after_transition` inside its database
transaction; anything here that reaches outside (tasks, webhooks) must be
scheduled with `transaction.on_commit` so it never runs for a rolled-back change.
"""


def after_transition(obj, *, transition, before: str, actor) -> None:
    """Schedule the side effects of a transition of obj from `before` to its new status."""
    return None
