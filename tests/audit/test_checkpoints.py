"""Signed checkpoints of the log's head, outside the database, anchor the hash chain against cuts and re-hashing."""

import importlib
import json
import logging

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_celery_beat.models import PeriodicTask

from licensing.audit.chain import GENESIS_HASH, content_hash, verify_chain
from licensing.audit.checkpoints import CheckpointRefused, checkpoint_path, take_checkpoint
from licensing.audit.models import Event, EventIsImmutable
from licensing.audit.services import record_event
from licensing.audit.tasks import take_audit_checkpoint
from licensing.celery import app as celery_app
from licensing.ops.logging import JsonFormatter

from ..factories import CustomerFactory


def _old_verify_audit_passes() -> bool:
    # What verify_audit checked before checkpoints: the chain alone, from the first event.
    return verify_chain(Event.objects.order_by("sequence")).ok


def _delete_the_last_events():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE sequence > (SELECT MIN(sequence) FROM audit_event)")


def _delete_every_event():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event")


def _rewrite_and_rehash():
    # Change the second event, then recompute every hash from it on, as
    # someone with database access and the source code could.
    previous = GENESIS_HASH
    with connection.cursor() as cursor:
        for position, event in enumerate(Event.objects.order_by("sequence"), start=1):
            if position == 2:
                event.reason = "nothing happened"
            if position >= 2:
                event.previous_hash = previous
                event.hash = content_hash(event)
                cursor.execute(
                    "UPDATE audit_event SET reason = %s, previous_hash = %s, hash = %s WHERE id = %s",
                    [event.reason, event.previous_hash, event.hash, event.pk],
                )
            previous = event.hash


def _edit_a_row_in_place():
    second = Event.objects.order_by("sequence")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET reason = 'nothing happened' WHERE id = %s", [second.pk])


def _delete_a_row_in_the_middle():
    second = Event.objects.order_by("sequence")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [second.pk])


def _cut_the_log_and_edit_the_checkpoint_to_match():
    _delete_the_last_events()
    line = json.loads(checkpoint_path().read_text())
    first = Event.objects.get()
    line.update(sequence=first.sequence, count=1, hash=first.hash)
    checkpoint_path().write_text(json.dumps(line) + "\n")


# Sequences come from a database sequence, so the messages name the fixture's first and third events by placeholder.
ATTACKS_THE_CHAIN_ALONE_PASSES = {
    "delete the last events": (
        _delete_the_last_events,
        r"cut short: the log ends at sequence {first} .* recorded 3 events",
    ),
    "delete every event": (_delete_every_event, r"cut short: the log is empty but .* recorded 3 events"),
    "rewrite an event and re-hash the chain after it": (
        _rewrite_and_rehash,
        r"Broken link at sequence {third} .*hash differs from the one the checkpoint on line 1 .* recorded",
    ),
    "cut the log and edit the checkpoint file to match": (
        _cut_the_log_and_edit_the_checkpoint_to_match,
        r"line 1 of the checkpoint file: its signature does not match its content",
    ),
}


def test_a_checkpoint_signs_the_head_into_the_private_storage_and_the_log_stream(three_events, caplog):
    with caplog.at_level(logging.INFO, logger="licensing.audit.checkpoints"):
        checkpoint = take_checkpoint()

    head = three_events[-1]
    assert (checkpoint.sequence, checkpoint.hash, checkpoint.count) == (head.sequence, head.hash, 3)
    path = checkpoint_path()
    line = json.loads(path.read_text())
    assert (line["sequence"], line["hash"], line["count"]) == (head.sequence, head.hash, 3)
    assert len(line["signature"]) == 64
    # Only the product's own user may read or change the anchors.
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    # Under LOG_FORMAT=json the record is one JSON object carrying the same line.
    (record,) = [r for r in caplog.records if r.name == "licensing.audit.checkpoints"]
    logged = json.loads(JsonFormatter().format(record))
    assert json.loads(logged["message"].removeprefix("audit checkpoint ")) == line


def test_the_checkpoint_folder_is_the_one_the_backup_archives(settings):
    assert checkpoint_path().parent == settings.MEDIA_ROOT / "audit-checkpoints"


def test_a_checkpoint_is_taken_again_only_when_the_head_has_moved(three_events, sealed_event):
    take_checkpoint()
    assert take_checkpoint() is None
    assert len(checkpoint_path().read_text().splitlines()) == 1

    fourth = sealed_event(n=4)
    assert take_checkpoint().sequence == fourth.sequence
    sequences = [json.loads(line)["sequence"] for line in checkpoint_path().read_text().splitlines()]
    assert sequences == [three_events[-1].sequence, fourth.sequence]


def test_a_checkpoint_covers_only_sealed_events(three_events, officer):
    take_checkpoint()
    record_event(actor=officer, verb="customer.updated", target=CustomerFactory(), after={"n": 4})

    # The new event waits for the sealer, so the head has not moved yet.
    assert take_checkpoint() is None


def test_an_empty_log_is_not_checkpointed(db):
    assert take_checkpoint() is None
    assert checkpoint_path().read_text() == ""


def test_verify_audit_passes_a_log_that_reaches_its_checkpoints(three_events, sealed_event, capsys):
    take_checkpoint()
    fourth = sealed_event(n=4)
    take_checkpoint()
    # Events after the last checkpoint are simply not anchored yet.
    sealed_event(n=5)

    call_command("verify_audit")

    captured = capsys.readouterr()
    assert "5 events verified" in captured.out
    assert f"reaches every checkpoint (2 on file, the last at sequence {fourth.sequence})" in captured.out
    assert "WARNING" not in captured.err


def test_verify_audit_warns_when_no_checkpoint_was_ever_taken(three_events, capsys):
    call_command("verify_audit")

    captured = capsys.readouterr()
    assert "3 events verified" in captured.out
    assert "WARNING: no checkpoint has been taken" in captured.err


@pytest.mark.parametrize("attack", ATTACKS_THE_CHAIN_ALONE_PASSES)
def test_verify_audit_fails_an_attack_the_chain_alone_lets_through(three_events, attack):
    tamper, message = ATTACKS_THE_CHAIN_ALONE_PASSES[attack]
    message = message.format(first=three_events[0].sequence, third=three_events[2].sequence)
    take_checkpoint()
    call_command("verify_audit")

    tamper()

    assert _old_verify_audit_passes()
    with pytest.raises(CommandError, match=message):
        call_command("verify_audit")


def test_verify_audit_fails_a_checkpoint_signed_with_another_key(three_events, settings):
    settings.AUDIT_CHECKPOINT_KEY = "a key an attacker chose, not the deployment's own " * 2
    take_checkpoint()
    settings.AUDIT_CHECKPOINT_KEY = "the deployment's own key, which the database never holds " * 2

    with pytest.raises(CommandError, match=r"line 1 of the checkpoint file was signed with another key"):
        call_command("verify_audit")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2 of the checkpoint file is not JSON"),
        ('{"sequence": 3}', "line 2 of the checkpoint file does not hold exactly the fields"),
    ],
)
def test_verify_audit_fails_a_malformed_checkpoint_line(three_events, line, message):
    take_checkpoint()
    with open(checkpoint_path(), "a") as handle:
        handle.write(line + "\n")

    with pytest.raises(CommandError, match=message):
        call_command("verify_audit")


def test_verify_audit_fails_checkpoint_lines_put_out_of_order(three_events, sealed_event):
    take_checkpoint()
    fourth = sealed_event(n=4)
    take_checkpoint()
    first, second = checkpoint_path().read_text().splitlines()
    checkpoint_path().write_text(f"{second}\n{first}\n")

    message = (
        f"line 2 of the checkpoint file records sequence {three_events[-1].sequence}, behind line 1's {fourth.sequence}"
    )
    with pytest.raises(CommandError, match=message):
        call_command("verify_audit")


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_delete_the_last_events, "the log ends at sequence {first} but the checkpoint on line 1"),
        (_delete_every_event, "the log is empty but the checkpoint on line 1"),
        (_rewrite_and_rehash, "the head's hash differs from the one the checkpoint on line 1"),
    ],
)
def test_no_checkpoint_is_signed_over_a_log_that_no_longer_reaches_the_last_one(three_events, tamper, message):
    take_checkpoint()
    tamper()

    message = message.format(first=three_events[0].sequence)
    with pytest.raises(CommandError, match=f"No checkpoint taken: {message}"):
        call_command("audit_checkpoint")
    assert len(checkpoint_path().read_text().splitlines()) == 1


def test_no_checkpoint_is_signed_over_a_chain_broken_since_the_last_one(three_events, sealed_event):
    take_checkpoint()
    late = sealed_event(n=4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET reason = 'rewritten' WHERE id = %s", [late.pk])

    message = rf"No checkpoint taken: broken link at sequence {late.sequence} .*content does not match"
    with pytest.raises(CommandError, match=message):
        call_command("audit_checkpoint")
    assert len(checkpoint_path().read_text().splitlines()) == 1


def test_the_checkpoint_command_reports_what_it_signed(three_events, capsys):
    call_command("audit_checkpoint")
    head = three_events[-1]
    assert f"Checkpoint at sequence {head.sequence} ({head.hash})" in capsys.readouterr().out
    call_command("audit_checkpoint")
    assert "has not moved" in capsys.readouterr().out


def test_a_migration_installs_the_checkpoint_task_in_beat_every_quarter_hour(db):
    # A transactional test's flush empties beat's tables, so install afresh as the migration does.
    PeriodicTask.objects.filter(task="licensing.audit.tasks.take_audit_checkpoint").delete()
    importlib.import_module("licensing.audit.migrations.0004_beat_schedule").install(django_apps, None)

    entry = PeriodicTask.objects.get(task="licensing.audit.tasks.take_audit_checkpoint")
    assert entry.task in celery_app.tasks
    assert entry.enabled and (entry.crontab.minute, entry.crontab.hour) == ("*/15", "*")


def test_the_checkpoint_task_is_idempotent(three_events):
    assert take_audit_checkpoint.delay().get() == three_events[-1].sequence
    assert take_audit_checkpoint.delay().get() is None
    assert len(checkpoint_path().read_text().splitlines()) == 1


def test_the_checkpoint_task_refuses_loudly_over_a_cut_log(three_events, caplog):
    take_audit_checkpoint()
    _delete_the_last_events()

    with pytest.raises(CheckpointRefused, match=f"the log ends at sequence {three_events[0].sequence}"):
        take_audit_checkpoint()
    assert any(r.levelno == logging.ERROR and "audit checkpoint refused" in r.getMessage() for r in caplog.records)


TAMPERINGS = {
    "edit a row in place": _edit_a_row_in_place,
    "delete a row in the middle": _delete_a_row_in_the_middle,
    **{name: tamper for name, (tamper, _) in ATTACKS_THE_CHAIN_ALONE_PASSES.items()},
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_the_event_log_is_append_only_and_tamper_evident(three_events, tampering):
    """The README's claim: the application cannot change the log, and verify_audit sees any change made around it."""
    event = three_events[0]
    event.reason = "rewritten"
    with pytest.raises(EventIsImmutable):
        event.save()
    with pytest.raises(EventIsImmutable):
        Event.objects.all().delete()
    take_checkpoint()

    TAMPERINGS[tampering]()

    with pytest.raises(CommandError):
        call_command("verify_audit")
