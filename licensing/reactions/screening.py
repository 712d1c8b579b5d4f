"""New or changed names and addresses are screened once the change commits."""

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication
from licensing.outbox.services import enqueue
from licensing.parties.models import Customer, Person
from licensing.screening.models import SubjectKind
from licensing.screening.tasks import screen_application_parties, screen_subject_task


def screen_target(event: Event, subject: Customer | Person) -> None:
    """Screen the customer or person the event is about."""
    kind = SubjectKind.PERSON if isinstance(subject, Person) else SubjectKind.CUSTOMER
    enqueue(screen_subject_task, kind, subject.pk)


def screen_parties(event: Event, application: LicenceApplication) -> None:
    """Screen the parties of the application the event is about."""
    enqueue(screen_application_parties, application.pk)
