"""Reminders go at their offsets, to the right people, each exactly once."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from licensing.deadlines import reminders
from licensing.deadlines.models import Delivery, Kind, Notification, Reminder
from licensing.deadlines.rules import reminder_offsets
from licensing.deadlines.services import set_daily_digest

from .conftest import days, make_deadline


@pytest.fixture
def addressed(officer, officer2, reviewer, admin_user):
    for user in (officer, officer2, reviewer, admin_user):
        user.email = f"{user.username}@exportdesk.example"
        user.save(update_fields=["email"])


@pytest.fixture
def claim(today, django_capture_on_commit_callbacks):
    """Run one reminder pass as beat would, deliveries included."""

    def run(today=today):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.claim_due_reminders(today=today)

    return run


def test_a_reminder_goes_once_when_its_offset_comes(today, filed, officer, addressed, claim):
    deadline = make_deadline(filed, due_on=today + days(7), owner=officer)
    assert [r.offset for r in claim()] == ["7d"]
    assert claim() == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@exportdesk.example"]
    assert message.subject.startswith("[ExportDesk] Due in 7 days: Licence expiry for EXD-")
    assert "Set up by the test." in message.body
    assert f"/deadlines/{deadline.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Open the deadline" in html
    notification = Notification.objects.get()
    assert (notification.recipient, notification.deadline) == (officer, deadline)
    assert Reminder.objects.get().emailed_at is not None


def test_nothing_goes_before_the_first_offset(today, filed, officer, addressed, claim):
    make_deadline(filed, due_on=today + days(91), owner=officer)
    assert claim() == []
    assert mail.outbox == []


def test_a_deadline_first_seen_late_gets_the_nearest_reminder_only(today, filed, officer, addressed, claim):
    make_deadline(filed, due_on=today + days(20), owner=officer)
    assert [r.offset for r in claim()] == ["30d"]
    assert claim(today + days(1)) == []
    assert [r.offset for r in claim(today + days(13))] == ["7d"]
    assert len(mail.outbox) == 2


def test_a_response_is_reminded_three_days_and_one_day_before(today, filed, officer, addressed, claim):
    make_deadline(filed, kind=Kind.INTENT_TO_DENY_RESPONSE, due_on=today + days(3), owner=officer)
    sent = [r.offset for day in range(4) for r in claim(today + days(day))]
    assert sent == ["3d", "1d"]
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["[ExportDesk] Due in 3 days", "[ExportDesk] Due tomorrow"]


def test_a_stopped_clock_reminds_nobody(today, filed, officer, addressed, claim):
    deadline = make_deadline(filed, kind=Kind.RESOLUTION, due_on=today + days(3), owner=officer)
    deadline.paused_since = today - days(2)
    deadline.save()
    assert claim() == []


def test_a_missed_deadline_is_escalated_to_the_officer_the_reviewer_and_the_admins_once(
    today, filed, officer, reviewer, admin_user, addressed, claim
):
    make_deadline(filed, due_on=today - days(1), owner=officer, reviewer=reviewer, status="missed")
    assert {r.recipient for r in claim()} == {officer, reviewer, admin_user}
    assert claim() == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@exportdesk.example",
        "officer@exportdesk.example",
        "reviewer@exportdesk.example",
    ]
    assert all(m.subject.startswith("[ExportDesk] Missed: ") for m in mail.outbox)


def test_a_missed_deadline_already_dealt_with_is_not_escalated(today, filed, officer, addressed, claim):
    deadline = make_deadline(filed, due_on=today - days(5), owner=officer, status="missed")
    deadline.settled_on = today - days(1)
    deadline.save()
    assert claim() == []


def test_an_unowned_deadline_reminds_the_administrators(today, filed, admin_user, officer, addressed, claim):
    make_deadline(filed, due_on=today + days(7), owner=None)
    assert [r.recipient for r in claim()] == [admin_user]


def test_a_reminder_claimed_elsewhere_is_not_sent_again(today, filed, officer, addressed, claim):
    deadline = make_deadline(filed, due_on=today + days(7), owner=officer)
    Reminder.objects.create(deadline=deadline, offset="7d", recipient=officer, delivery=Delivery.EMAIL)
    assert claim() == []
    assert mail.outbox == []


def test_a_retried_delivery_sends_once(today, filed, officer, addressed):
    make_deadline(filed, due_on=today + days(7), owner=officer)
    (reminder,) = reminders.claim_due_reminders(today=today)
    assert mail.outbox == []
    assert reminders.deliver_reminder(reminder_id=reminder.pk) is True
    assert reminders.deliver_reminder(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == 1


def test_a_lost_delivery_goes_with_the_next_run(today, filed, officer, addressed, claim):
    make_deadline(filed, due_on=today + days(7), owner=officer)
    (reminder,) = reminders.claim_due_reminders(today=today)
    Reminder.objects.filter(pk=reminder.pk).update(claimed_at=timezone.now() - datetime.timedelta(minutes=20))
    assert claim() == []
    assert len(mail.outbox) == 1


def test_someone_without_an_email_address_is_told_in_the_app_only(today, filed, officer, claim):
    make_deadline(filed, due_on=today + days(7), owner=officer)
    (reminder,) = claim()
    assert reminder.delivery == Delivery.IN_APP
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_a_digest_reader_gets_one_email_a_day(
    today, filed, officer, reviewer, addressed, claim, django_capture_on_commit_callbacks
):
    set_daily_digest(actor=officer, daily_digest=True)
    make_deadline(filed, due_on=today + days(7), owner=officer)
    make_deadline(filed, kind=Kind.RECORD_RETENTION, due_on=today + days(30), owner=officer)
    assert {r.delivery for r in claim()} == {Delivery.DIGEST}
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=officer).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        (digest,) = reminders.claim_digests(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.claim_digests(today=today) == []
    assert reminders.deliver_digest(digest_id=digest.pk) is False
    (message,) = mail.outbox
    assert message.subject.startswith("[ExportDesk] Deadlines for ") and message.subject.endswith(": 2 reminders")
    assert "Licence expiry" in message.body and "Record retention ends" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert set(Reminder.objects.values_list("digest", flat=True)) == {digest.pk}


def test_a_digest_reader_still_hears_of_a_missed_deadline_at_once(today, filed, officer, addressed, claim):
    set_daily_digest(actor=officer, daily_digest=True)
    make_deadline(filed, due_on=today - days(1), owner=officer, status="missed")
    assert {r.delivery for r in claim() if r.recipient == officer} == {Delivery.EMAIL}
    assert "officer@exportdesk.example" in [m.to[0] for m in mail.outbox]


def test_offsets_can_be_set_per_kind(settings):
    settings.DEADLINE_REMINDER_OFFSETS = {"licence_expiry": [60, 14]}
    assert reminder_offsets(Kind.LICENCE_EXPIRY) == (60, 14)
    assert reminder_offsets(Kind.APPEAL) == (14, 3, 1)


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"licence_expiry": [0]}, "DEADLINE_REMINDER_OFFSETS\\['licence_expiry'\\] must be whole numbers"),
        ({"licence_expiry": ["7"]}, "must be whole numbers"),
        ({"licence_expirey": [7]}, "unknown kinds \\['licence_expirey'\\]"),
    ],
)
def test_bad_offsets_stop_with_the_setting_named(settings, configured, message):
    settings.DEADLINE_REMINDER_OFFSETS = configured
    with pytest.raises(ImproperlyConfigured, match=message):
        reminder_offsets(Kind.LICENCE_EXPIRY)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_one_reminder(today, filed, officer, addressed):
    make_deadline(filed, due_on=today + days(7), owner=officer)
    runs = 4
    barrier = threading.Barrier(runs)
    claims = []

    def run():
        try:
            barrier.wait()
            # Autocommit: each claim commits at once and its delivery runs on commit.
            claims.append(len(reminders.claim_due_reminders(today=today)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claims) == [0] * (runs - 1) + [1]
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == Notification.objects.count() == 1
