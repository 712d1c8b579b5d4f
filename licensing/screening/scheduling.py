"""Ask for a screening once the change that calls for it has committed.

The parties and applications services call these inside their transactions:
the outbox records the task in the same transaction, so it runs only if the
change commits, reads the committed row, and is not lost if the broker is away.
"""

from licensing.outbox.services import enqueue

from .models import SubjectKind


def screen_on_commit(subject) -> None:
    """Screen a customer or person after the current transaction commits."""
    kind = SubjectKind.PERSON if subject._meta.model_name == "person" else SubjectKind.CUSTOMER
    subject_id = subject.pk
    _enqueue_subject(kind, subject_id)


def screen_parties_on_commit(application) -> None:
    """Screen an application's parties after the current transaction commits."""
    application_id = application.pk
    _enqueue_parties(application_id)


def _enqueue_subject(kind: str, subject_id: int) -> None:
    from .tasks import screen_subject_task

    enqueue(screen_subject_task, kind, subject_id)


def _enqueue_parties(application_id: int) -> None:
    from .tasks import screen_application_parties

    enqueue(screen_application_parties, application_id)
