"""A visa's expiry is a clock: its officer is reminded before it, once per offset; a newer visa replaces it."""

import pytest
from django.core import mail

from licensing.deadlines import recompute, reminders
from licensing.deadlines.models import Deadline, Kind, Reminder
from licensing.deadlines.tasks import send_due_reminders
from licensing.parties import services as parties

from ..factories import PersonFactory
from .conftest import days


@pytest.fixture
def record_visa(officer, run_on_commit):
    """Record a visa as the person page does, with the reactions it schedules run after commit."""

    def record(person, expires_on, number="AB1234567", kind="h1b"):
        return run_on_commit(
            parties.record_visa, actor=officer, person=person, kind=kind, number=number, expires_on=expires_on
        )

    return record


@pytest.fixture
def addressed(officer):
    officer.email = "officer@exportdesk.example"
    officer.save(update_fields=["email"])
    return officer


def visa_deadlines():
    return Deadline.objects.filter(kind=Kind.VISA_EXPIRY).order_by("pk")


def test_recording_a_visa_starts_its_expiry_clock_owned_by_the_officer(today, officer, record_visa):
    person = PersonFactory(given_name="Ananya", family_name="Iyer")
    visa = record_visa(person, today + days(200))

    deadline = visa_deadlines().get()
    assert deadline.subject == visa
    assert (deadline.status, deadline.due_on, deadline.owner) == (Deadline.Status.OPEN, today + days(200), officer)
    assert "Ananya Iyer" in deadline.subject_repr
    # The number identifies the person; the clock, its e-mails and the calendar never carry it.
    assert "1234567" not in deadline.subject_repr and "1234567" not in deadline.basis


def test_the_officer_is_reminded_thirty_days_before_and_only_once(today, addressed, record_visa, run_on_commit):
    record_visa(PersonFactory(given_name="Ananya", family_name="Iyer"), today + days(45))

    on = today + days(15)
    first = run_on_commit(reminders.claim_due_reminders, today=on)
    again = run_on_commit(reminders.claim_due_reminders, today=on)

    assert [(r.offset, r.recipient) for r in first] == [("30d", addressed)]
    assert again == []
    assert len(mail.outbox) == 1
    assert "Visa expiry" in mail.outbox[0].subject and "Ananya Iyer" in mail.outbox[0].subject
    assert "1234567" not in mail.outbox[0].body


def test_nothing_is_reminded_before_the_first_offset(today, addressed, record_visa, run_on_commit):
    record_visa(PersonFactory(), today + days(61))
    assert run_on_commit(reminders.claim_due_reminders, today=today) == []


def test_the_reminder_days_are_a_setting(today, addressed, record_visa, run_on_commit, settings):
    settings.DEADLINE_REMINDER_OFFSETS = {"visa_expiry": (90,)}
    record_visa(PersonFactory(), today + days(80))

    assert [r.offset for r in run_on_commit(reminders.claim_due_reminders, today=today)] == ["90d"]


def test_the_hourly_beat_task_sends_the_visa_reminder(today, addressed, record_visa, run_on_commit):
    record_visa(PersonFactory(), today + days(7))

    assert run_on_commit(send_due_reminders.apply).get() == 1
    assert Reminder.objects.get().offset == "7d"


def test_a_newer_visa_replaces_the_clock_of_the_one_before(today, officer, record_visa):
    person = PersonFactory()
    old = record_visa(person, today + days(20))
    new = record_visa(person, today + days(900), number="CD7654321")

    clocks = {d.subject_id: d for d in visa_deadlines()}
    assert clocks[old.pk].status == Deadline.Status.CANCELLED
    assert clocks[new.pk].status == Deadline.Status.OPEN and clocks[new.pk].due_on == today + days(900)


def test_recomputing_twice_changes_nothing(today, record_visa):
    person = PersonFactory()
    record_visa(person, today + days(100))
    before = list(visa_deadlines().values())

    recompute.recompute_visas(person_id=person.pk, today=today)
    recompute.refresh_deadlines(today=today)

    assert list(visa_deadlines().values()) == before


def test_once_the_expiry_has_passed_the_clock_is_closed_not_missed(today, record_visa):
    record_visa(PersonFactory(), today + days(10))

    recompute.refresh_deadlines(today=today + days(11), lapsed_only=True)

    deadline = visa_deadlines().get()
    assert deadline.status == Deadline.Status.MET and deadline.settled_on == today + days(10)
