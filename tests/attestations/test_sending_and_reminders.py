"""Bulk sends run in the background with progress; unanswered links are reminded from beat and lapse."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from licensing.attestations.models import Attestation, AttestationSendRun
from licensing.attestations.services.sending import (
    MOST_REMINDERS,
    REMIND_AFTER,
    expire_lapsed,
    remind_unanswered,
    run_send_run,
    send_attestation,
    start_send_run,
)
from licensing.attestations.tasks import remind_unanswered_attestations
from licensing.audit.models import Event
from licensing.outbox.models import OutboxMessage
from tests.factories import PersonFactory

from .mailbox import link_in

pytestmark = pytest.mark.django_db


def test_a_bulk_send_is_one_task_that_sends_each_link_and_says_who_was_skipped(
    officer, us_employer, seat, django_capture_on_commit_callbacks
):
    others = [PersonFactory(customer=us_employer, email=f"seat{i}@example.com") for i in range(3)]
    no_address = PersonFactory(customer=us_employer, email="")

    with django_capture_on_commit_callbacks(execute=True):
        run = start_send_run(actor=officer, subjects=[seat, *others, no_address, seat])

    assert OutboxMessage.objects.filter(task="licensing.attestations.tasks.send_attestation_run").count() == 1
    run.refresh_from_db()
    assert (run.status, run.total, run.processed, run.sent) == (AttestationSendRun.Status.DONE, 5, 5, 4)
    assert run.skipped == [
        {"subject": f"person {no_address.pk}", "reason": f"{no_address} has no contact e-mail address; give one."}
    ]
    assert len(mail.outbox) == 4
    assert Attestation.objects.filter(send_run=run).count() == 4
    assert Event.objects.filter(verb="attestation.send_run_finished").get().after == {"sent": 4, "skipped": 1}


def test_a_stopped_run_carries_on_where_it_was_and_sends_nobody_twice(officer, us_employer, seat):
    other = PersonFactory(customer=us_employer, email="other@example.com")
    run = AttestationSendRun.objects.create(
        requested_by=officer, subjects=[["person", seat.pk], ["person", other.pk]], total=2
    )
    # The first link went out, then the worker stopped before saving its progress.
    send_attestation(actor=officer, subject=seat, send_run=run)

    run_send_run(run.pk)
    run_send_run(run.pk)

    run.refresh_from_db()
    assert (run.processed, run.sent, run.skipped) == (2, 2, [])
    assert Attestation.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_run_page_shows_its_progress(client, officer, seat):
    run = AttestationSendRun.objects.create(requested_by=officer, subjects=[["person", seat.pk]], total=1)
    client.force_login(officer)
    page = client.get(f"/attestations/runs/{run.pk}/")
    assert page.status_code == 200
    assert b"0 of 1 subjects" in page.content and b'hx-trigger="every 1s"' in page.content


def test_an_unanswered_link_is_reminded_with_a_fresh_link_that_replaces_the_old(client, sent):
    attestation, old_link = sent
    later = attestation.last_sent_at + REMIND_AFTER + datetime.timedelta(minutes=1)

    assert remind_unanswered(now=later - datetime.timedelta(days=1)) == 0
    assert remind_unanswered(now=later) == 1
    assert remind_unanswered(now=later) == 0

    attestation.refresh_from_db()
    assert attestation.reminders_sent == 1
    assert mail.outbox[-1].subject.startswith("Reminder: ")
    new_link = link_in(mail.outbox[-1])
    assert new_link != old_link
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200
    assert Event.objects.filter(verb="attestation.reminded").count() == 1


def test_reminders_stop_after_the_last_one_and_at_expiry(sent):
    attestation, _ = sent
    now = attestation.last_sent_at
    for _ in range(MOST_REMINDERS + 2):
        now += REMIND_AFTER + datetime.timedelta(minutes=1)
        remind_unanswered(now=min(now, attestation.expires_at - datetime.timedelta(minutes=1)))
    attestation.refresh_from_db()
    assert attestation.reminders_sent == MOST_REMINDERS


def test_answered_and_revoked_links_are_never_reminded(sent, officer):
    attestation, _ = sent
    Attestation.objects.filter(pk=attestation.pk).update(status=Attestation.Status.REVOKED)
    assert remind_unanswered(now=timezone.now() + REMIND_AFTER * 2) == 0


def test_beat_records_lapsed_links_as_expired(sent):
    attestation, _ = sent
    Attestation.objects.filter(pk=attestation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert remind_unanswered_attestations.apply().get() == {"expired": 1, "reminded": 0}

    attestation.refresh_from_db()
    assert attestation.status == Attestation.Status.EXPIRED
    assert expire_lapsed() == 0
