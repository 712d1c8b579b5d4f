"""Ask for a screening once the change that calls for it has committed.

The parties and applications services call these inside their transactions;
the task runs only if the change commits, and reads the committed row.
"""

from django.db import transaction

from .models import SubjectKind


def screen_on_commit(subject) -> None:
    """Screen a customer or person after the current transaction commits."""
    kind = SubjectKind.PERSON if subject._meta.model_name == "person" else SubjectKind.CUSTOMER
    subject_id = subject.pk
    transaction.on_commit(lambda: _enqueue_subject(kind, subject_id))


def screen_parties_on_commit(application) -> None:
    """Screen an application's parties after the current transaction commits."""
    application_id = application.pk
    transaction.on_commit(lambda: _enqueue_parties(application_id))


def _enqueue_subject(kind: str, subject_id: int) -> None:
    from .tasks import screen_subject_task

    screen_subject_task.delay(kind, subject_id)


def _enqueue_parties(application_id: int) -> None:
    from .tasks import screen_application_parties

    screen_application_parties.delay(application_id)
