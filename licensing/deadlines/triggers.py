"""Schedule the recomputation of deadlines after a status change commits."""

from django.db import transaction


def recompute_after_commit(obj) -> None:
    """Enqueue the recomputation of the deadlines obj's change may move, once the change is committed."""
    label = obj._meta.label
    if label == "cases.LicenceApplication":
        transaction.on_commit(lambda: _enqueue_case(obj.pk))
    elif label == "cases.Licence":
        transaction.on_commit(lambda: _enqueue_case(obj.application_id))
    elif label == "determinations.ForeignPersonDetermination":
        transaction.on_commit(lambda: _enqueue_determination(obj.pk))


# The tasks are imported when used: they reach the state machines, which
# import this module through the transition hook.
def _enqueue_case(application_id: int) -> None:
    from .tasks import recompute_case_deadlines

    recompute_case_deadlines.delay(application_id)


def _enqueue_determination(determination_id: int) -> None:
    from .tasks import recompute_determination_deadlines

    recompute_determination_deadlines.delay(determination_id)
