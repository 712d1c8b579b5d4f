"""Deadlines are derived from a case's events: a move may start, stop or close a clock."""

from licensing.deadlines.tasks import recompute_case_deadlines, recompute_determination_deadlines
from licensing.outbox.services import enqueue


def recompute_case(event, application) -> None:
    """Recompute the clocks of the application the event is about."""
    enqueue(recompute_case_deadlines, application.pk)


def recompute_licence_case(event, licence) -> None:
    """Recompute the clocks of the case a licence was issued on."""
    enqueue(recompute_case_deadlines, licence.application_id)


def recompute_retention_case(event, retention_record) -> None:
    """A known reexport or transfer moves the case's retention deadline."""
    enqueue(recompute_case_deadlines, retention_record.application_id)


def recompute_determination(event, determination) -> None:
    """Recompute a determination's review-by deadline."""
    enqueue(recompute_determination_deadlines, determination.pk)
