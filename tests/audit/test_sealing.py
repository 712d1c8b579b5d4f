"""Writers of the event log do not wait for one another; the sealer links committed events into the chain in order."""

import contextlib
import datetime
import importlib
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django_celery_beat.models import PeriodicTask

from licensing.audit.models import Event
from licensing.audit.sealing import WRITER_LOCK_CLASS, SealingRefused, seal_events
from licensing.audit.services import record_event
from licensing.audit.tasks import seal_event_log
from licensing.celery import app as celery_app

from ..factories import CustomerFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")


def _record(customer, n):
    return record_event(actor=None, verb="customer.updated", target=customer, after={"n": n})


@pytest.mark.django_db(transaction=True)
def test_an_event_is_readable_at_once_and_sealed_when_its_transaction_commits():
    customer = CustomerFactory()
    with transaction.atomic():
        event = _record(customer, 1)
        # The case timeline reads it inside the same transaction; its link comes later.
        assert Event.objects.for_target(customer).get(pk=event.pk).hash == ""

    stored = Event.objects.get(pk=event.pk)
    assert stored.hash and stored.previous_hash
    call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_writers_open_transaction_and_is_sealed_after_it(capsys):
    customer = CustomerFactory()
    recorded, release = threading.Event(), threading.Event()
    slow = {}

    def write_and_hold():
        try:
            with transaction.atomic():
                slow["event"] = _record(customer, 1)
                recorded.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=write_and_hold)
    thread.start()
    try:
        assert recorded.wait(timeout=30)
        started = time.monotonic()
        fast = _record(customer, 2)
        # Under one lock for every writer this waited until the other transaction ended.
        assert time.monotonic() - started < 5
        # Committed, readable, but not sealed past the open writer's lower sequence.
        assert Event.objects.get(pk=fast.pk).hash == ""
        assert seal_events() == 0
    finally:
        release.set()
        thread.join(timeout=30)

    first, second = Event.objects.get(pk=slow["event"].pk), Event.objects.get(pk=fast.pk)
    assert first.sequence < second.sequence
    assert second.previous_hash == first.hash
    call_command("verify_audit")
    assert "2 events verified" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_writer_leaves_a_gap_that_holds_nothing_back():
    customer = CustomerFactory()
    before = _record(customer, 1)
    with contextlib.suppress(RuntimeError), transaction.atomic():
        _record(customer, 2)
        raise RuntimeError("the change failed")
    after = _record(customer, 3)

    first, last = Event.objects.get(pk=before.pk), Event.objects.get(pk=after.pk)
    assert last.sequence > first.sequence + 1
    assert last.previous_hash == first.hash
    call_command("verify_audit")


def test_a_transaction_writing_many_events_registers_as_a_writer_once(db):
    customer = CustomerFactory()
    for n in range(5):
        _record(customer, n)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s "
            "AND pid = pg_backend_pid()",
            [WRITER_LOCK_CLASS],
        )
        assert cursor.fetchone()[0] == 1


def test_verify_audit_reports_events_waiting_for_the_sealer_without_failing(db, capsys):
    customer = CustomerFactory()
    _record(customer, 1)
    seal_events()
    _record(customer, 2)

    call_command("verify_audit")

    out = capsys.readouterr().out
    assert "1 events verified" in out
    assert "1 written in the last moments, awaiting the sealer" in out


def test_verify_audit_fails_an_event_left_unsealed_too_long(db):
    customer = CustomerFactory()
    late = _record(customer, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_event SET occurred_at = %s WHERE id = %s",
            [late.occurred_at - datetime.timedelta(minutes=11), late.pk],
        )

    with pytest.raises(CommandError, match=r"1 events have waited more than 10 minutes to be sealed"):
        call_command("verify_audit")

    seal_events()
    call_command("verify_audit")


def test_an_unsealed_event_below_the_sealed_head_is_refused_by_the_sealer_and_reported(three_events):
    # Written around the application: a row no writer's sequence number could have given.
    smuggled = _record(CustomerFactory(), 4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_event SET sequence = %s WHERE id = %s", [three_events[0].sequence - 1, smuggled.pk]
        )

    with pytest.raises(SealingRefused, match=f"event id {smuggled.pk} is unsealed at sequence"):
        seal_events()
    with pytest.raises(CommandError, match=f"Event id {smuggled.pk} at sequence .* is not sealed but lies below"):
        call_command("verify_audit")


def test_seal_audit_seals_what_is_waiting_and_then_nothing(db, capsys):
    customer = CustomerFactory()
    _record(customer, 1)
    _record(customer, 2)

    call_command("seal_audit")
    assert "2 events sealed." in capsys.readouterr().out
    call_command("seal_audit")
    assert "0 events sealed." in capsys.readouterr().out
    assert not Event.objects.unsealed().exists()


def test_the_sealer_task_is_idempotent(db):
    _record(CustomerFactory(), 1)

    assert seal_event_log.delay().get() == 1
    assert seal_event_log.delay().get() == 0


def test_a_migration_installs_the_sealer_in_beat_every_five_seconds(db):
    # A transactional test's flush empties beat's tables, so install afresh as the migration does.
    PeriodicTask.objects.filter(task="licensing.audit.tasks.seal_event_log").delete()
    importlib.import_module("licensing.audit.migrations.0006_sealer_beat_schedule").install(django_apps, None)

    entry = PeriodicTask.objects.get(task="licensing.audit.tasks.seal_event_log")
    assert entry.task in celery_app.tasks
    assert entry.enabled and (entry.interval.every, entry.interval.period) == (5, "seconds")
