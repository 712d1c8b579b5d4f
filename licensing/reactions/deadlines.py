"""Deadlines are derived from a case's events: a move may start, stop or close a clock."""

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication
from licensing.deadlines.tasks import (
    recompute_case_deadlines,
    recompute_determination_deadlines,
    recompute_visa_deadlines,
)
from licensing.determinations.models import ForeignPersonDetermination
from licensing.filings.models import RetentionRecord
from licensing.outbox.services import enqueue
from licensing.parties.models import Person


def recompute_case(event: Event, application: LicenceApplication) -> None:
    """Recompute the clocks of the application the event is about."""
    enqueue(recompute_case_deadlines, application.pk)


def recompute_licence_case(event: Event, licence: Licence) -> None:
    """Recompute the clocks of the case a licence was issued on."""
    enqueue(recompute_case_deadlines, licence.application_id)


def recompute_retention_case(event: Event, retention_record: RetentionRecord) -> None:
    """A known reexport or transfer moves the case's retention deadline."""
    enqueue(recompute_case_deadlines, retention_record.application_id)


def recompute_determination(event: Event, determination: ForeignPersonDetermination) -> None:
    """Recompute a determination's review-by deadline."""
    enqueue(recompute_determination_deadlines, determination.pk)


def recompute_visas(event: Event, person: Person) -> None:
    """A visa recorded starts its expiry clock and replaces the person's earlier visa's."""
    enqueue(recompute_visa_deadlines, person.pk)
