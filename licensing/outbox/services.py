"""The transactional outbox: a follow-up task is recorded with the change that calls for it, and sent after commit.

A write that hands its follow-up straight to Celery loses it when the broker
is away, and turns a change already saved into an error. Here the follow-up
is a row written in the caller's transaction: rolled back, it never existed;
committed, it is sent at once, and if the broker does not take it the row
waits for the relay (beat, every few seconds, or `manage.py relay_outbox`),
which sends it once the broker is back. Tasks take ids and are idempotent, so
a message sent twice (the process stopped between the broker taking it and
the row being marked) does no harm.

Without a broker (the embedded default, tasks run eagerly) a message's task
runs in the process once the transaction commits, as a direct call would.

A task is named by its task object or by its registered name (each app's
`task_names` module holds the names its services enqueue), so a service
enqueues its own app's tasks without importing the tasks module that
imports it.
"""

import enum
import functools
import json
import logging
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from celery import Task
from celery.exceptions import NotRegistered
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from licensing.celery import app

from .models import OutboxMessage

log = logging.getLogger(__name__)

# Any task, whatever it takes and returns: arguments are checked as JSON, not by type.
AnyTask = Task[..., Any]
# A best-effort call waiting for the sender thread: the task, its arguments and keyword arguments.
_Call = tuple[AnyTask, tuple[object, ...], dict[str, object]]

# The request's own send tries once more on a stale connection, then leaves
# the message to the relay rather than hold the response.
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
RELAY_BATCH_SIZE = 100
KEEP_SENT = timedelta(days=7)


class Outcome(enum.Enum):
    SENT = "sent"
    # The broker (or its result store) did not take it: later messages would fare no better.
    BROKER_FAILED = "broker failed"
    # Nothing by that name is registered here: only this message is stuck.
    UNKNOWN_TASK = "unknown task"


# Messages enqueued inside `enqueued_together`, written when it ends; None outside one.
_gathered: ContextVar[list[OutboxMessage] | None] = ContextVar("outbox_gathered", default=None)


@contextmanager
def enqueued_together() -> Iterator[None]:
    """Write the messages enqueued inside the block in one insert when it ends, each still its own message.

    For services that change many records in one transaction: their
    reactions enqueue a message per record, and a row each would be most of
    the work. Leaving the block by an exception writes none of them, as the
    transaction they belong to is rolled back.
    """
    if _gathered.get() is not None:
        yield
        return
    gathered: list[OutboxMessage] = []
    reset = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(reset)
    OutboxMessage.objects.bulk_create(gathered, batch_size=1000)
    for message in gathered:
        transaction.on_commit(functools.partial(send, message.pk), robust=not _eager())


def enqueue(task: AnyTask | str, /, *args: object, **kwargs: object) -> OutboxMessage:
    """Record a call of `task` (a task or its name) in the caller's transaction and send it once that commits."""
    # Tasks take ids: arguments that are not plain JSON are refused here, in the caller, not in a worker.
    json.dumps([args, kwargs])
    if (gathered := _gathered.get()) is not None:
        message = OutboxMessage(task=_name(task), args=list(args), kwargs=kwargs)
        gathered.append(message)
        return message
    message = OutboxMessage.objects.create(task=_name(task), args=list(args), kwargs=kwargs)
    # Eagerly run tasks fail the caller as a direct call would; a broker's
    # failure (or the database's, marking the row) must not fail a committed change.
    transaction.on_commit(functools.partial(send, message.pk), robust=not _eager())
    return message


def send(message_id: int) -> bool:
    """Hand one message to Celery unless it was sent already; True when this call sent it."""
    if _eager():
        return _run_here(message_id)
    with transaction.atomic():
        # skip_locked: the relay is sending this very row; it is the relay's to send.
        message = (
            OutboxMessage.objects.unsent()
            .select_for_update(no_key=True, skip_locked=True)
            .filter(pk=message_id)
            .first()
        )
        return message is not None and _hand_over(message) is Outcome.SENT


def relay(*, limit: int = 10_000) -> int:
    """Send unsent messages, oldest first, until none is left or the broker fails; return how many were sent."""
    if _eager():
        waiting = OutboxMessage.objects.unsent().oldest_first().values_list("pk", flat=True)[:limit]
        return sum(_run_here(pk) for pk in list(waiting))
    sent = 0
    stuck: set[int] = set()
    while sent < limit:
        with transaction.atomic():
            # Rows another relay (or a request's own send) holds are skipped:
            # each message goes out from one place at a time.
            batch = list(
                OutboxMessage.objects.unsent()
                .exclude(pk__in=stuck)
                .oldest_first()
                .select_for_update(no_key=True, skip_locked=True)[: min(RELAY_BATCH_SIZE, limit - sent)]
            )
            if not batch:
                return sent
            for message in batch:
                outcome = _hand_over(message)
                if outcome is Outcome.SENT:
                    sent += 1
                elif outcome is Outcome.UNKNOWN_TASK:
                    stuck.add(message.pk)
                else:
                    return sent
    return sent


def prune_sent(*, older_than: timedelta = KEEP_SENT) -> int:
    """Delete messages sent longer ago than `older_than`; return how many."""
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted


def send_best_effort(task: AnyTask | str, /, *args: object, **kwargs: object) -> None:
    """Send `task` (or its name) unrecorded, for bookkeeping that may be lost; never blocks or fails the caller."""
    if isinstance(task, str):
        found = registered_task(task)
        if found is None:
            log.warning("no task named %r is registered; it is bookkeeping only and is dropped", task)
            return
        task = found
    if _eager():
        try:
            task.apply_async(args, kwargs)
        except Exception:
            log.warning("%s failed; it is bookkeeping only and is dropped", task.name, exc_info=True)
        return
    # A frozen broker would hold the request for its socket timeout: a
    # thread of this process sends instead, and drops what it cannot.
    _BEST_EFFORT.submit(task, args, kwargs)


class _BestEffortSender:
    """One thread per process that sends bookkeeping tasks; when it falls behind, new ones are dropped."""

    def __init__(self, size: int = 1000) -> None:
        self._queue: queue.Queue[_Call] = queue.Queue(maxsize=size)
        self._lock = threading.Lock()
        self._pid: int | None = None

    def submit(self, task: AnyTask, args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        with self._lock:
            if self._pid != os.getpid():
                # First use in this process (a forked worker inherits no threads).
                self._queue = queue.Queue(maxsize=self._queue.maxsize)
                self._pid = os.getpid()
                threading.Thread(target=self._run, args=(self._queue,), name="best-effort-tasks", daemon=True).start()
        try:
            self._queue.put_nowait((task, args, kwargs))
        except queue.Full:
            log.warning("%s dropped: the broker is not keeping up; it is bookkeeping only", task.name)

    @staticmethod
    def _run(waiting: queue.Queue[_Call]) -> None:
        while True:
            task, args, kwargs = waiting.get()
            try:
                task.apply_async(args, kwargs, retry=False, ignore_result=True)
            except Exception:
                log.warning("could not send %s; it is bookkeeping only and is dropped", task.name, exc_info=True)


_BEST_EFFORT = _BestEffortSender()


# Set once this process has imported every app's tasks module.
_discovered = threading.Event()


def registered_task(name: str) -> AnyTask | None:
    """Return the task registered under `name`, or None."""
    task = app.tasks.get(name)
    if task is None and not _discovered.is_set():
        # Only a worker imports every app's tasks module when it starts; a web
        # process has only those its own code imported, so the first name it
        # misses has them all imported (without the worker's system checks).
        app.autodiscover_tasks(force=True)
        _discovered.set()
        task = app.tasks.get(name)
    return task


def _name(task: AnyTask | str) -> str:
    return task if isinstance(task, str) else task.name


def _hand_over(message: OutboxMessage) -> Outcome:
    # The caller holds the row's lock, so no one else sends it meanwhile.
    task = registered_task(message.task)
    if task is None:
        _record_failure(message, f"no task named {message.task!r} is registered")
        return Outcome.UNKNOWN_TASK
    try:
        task.apply_async(message.args, message.kwargs, retry=True, retry_policy=SEND_RETRY_POLICY, ignore_result=True)
    except Exception as error:  # noqa: BLE001 - whatever the broker raises, the row waits for the relay
        _record_failure(message, f"{error.__class__.__name__}: {error}")
        return Outcome.BROKER_FAILED
    message.sent_at = timezone.now()
    message.attempts += 1
    message.save(update_fields=["sent_at", "attempts"])
    return Outcome.SENT


def _record_failure(message: OutboxMessage, error: str) -> None:
    log.warning("outbox message %s (%s) not sent, it waits for the relay: %s", message.pk, message.task, error)
    message.attempts += 1
    message.last_error = error[:2000]
    message.save(update_fields=["attempts", "last_error"])


def _run_here(message_id: int) -> bool:
    # Claimed before it runs, so a message runs here once even if the relay
    # is asked too; an error in the task reaches the caller, as a direct call's would.
    claimed = (
        OutboxMessage.objects.unsent().filter(pk=message_id).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    task = registered_task(message.task)
    if task is None:
        raise NotRegistered(message.task)
    task.apply_async(message.args, message.kwargs)
    return True


def _eager() -> bool:
    return bool(app.conf.task_always_eager)
