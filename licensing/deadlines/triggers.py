"""Schedule the recomputation of deadlines after a status change commits."""

from licensing.outbox.services import enqueue


def recompute_after_commit(obj) -> None:
    """Enqueue, in the change's transaction, the recomputation of the deadlines it may move; it runs after commit."""
    label = obj._meta.label
    if label == "cases.LicenceApplication":
        _enqueue_case(obj.pk)
    elif label == "cases.Licence":
        _enqueue_case(obj.application_id)
    elif label == "determinations.ForeignPersonDetermination":
        _enqueue_determination(obj.pk)


# The tasks are imported when used: they reach the state machines, which
# import this module through the transition hook.
def _enqueue_case(application_id: int) -> None:
    from .tasks import recompute_case_deadlines

    enqueue(recompute_case_deadlines, application_id)


def _enqueue_determination(determination_id: int) -> None:
    from .tasks import recompute_determination_deadlines

    enqueue(recompute_determination_deadlines, determination_id)
