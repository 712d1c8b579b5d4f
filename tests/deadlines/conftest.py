"""Cases for the deadline tests, built through the product's own services."""

import datetime

import pytest

from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications
from licensing.deadlines.models import Deadline, Kind
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, approved_determination, letter, transaction


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def dated(values: dict, today: datetime.date, *, as_text: bool = False) -> dict:
    """The values with each offset in days (a parametrize table's `days(n)`) made the day that far from today."""
    # Tables are built at import; the day they mean is counted when the test runs.
    return {
        key: (lambda day: day.isoformat() if as_text else day)(today + value)
        if isinstance(value, datetime.timedelta)
        else value
        for key, value in values.items()
    }


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the services schedule after commit (the deadline recomputation) as it is scheduled."""

    def run(service, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return run


@pytest.fixture
def filed(today, officer, reviewer, item, run_on_commit):
    """An application filed with BIS: prepared by the officer, approved for filing by the reviewer."""
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today - days(200))
    record = transaction(customer, item)
    application = LicenceApplication.objects.get(transaction=record)
    application = applications.update_application(
        actor=officer, application=application, signer_name="Olivia Officer", signer_title="Compliance officer"
    )
    application = applications.submit_application_for_review(
        actor=officer, application=complete_application(application, upload=False)
    )
    application = applications.approve_for_filing(actor=reviewer, application=application)
    return run_on_commit(
        applications.record_submission,
        actor=officer,
        application=application,
        control_number="Z100001",
        submitted_on=today - days(60),
    )


def deadline_of(kind: str, subject) -> Deadline:
    return Deadline.objects.for_subject(subject).get(kind=kind)


def make_deadline(subject, *, kind=Kind.LICENCE_EXPIRY, due_on, owner=None, reviewer=None, status="open"):
    """A deadline row on a real record, for tests about what happens to deadlines once they exist."""
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.create(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_repr=str(subject),
        application=subject if isinstance(subject, LicenceApplication) else None,
        starts_on=due_on - days(30),
        due_on=due_on,
        owner=owner,
        reviewer=reviewer,
        status=status,
        basis="Set up by the test.",
    )
