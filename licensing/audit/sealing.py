"""Sealing: events are written without waiting for one another, then linked into the chain in order.

Writing an event used to take one advisory lock, held until the writer's
transaction committed, so that it could read the chain's head and link to it;
every write in the system queued behind that lock. Now an event is written in
two steps:

1. `record_event` inserts it **unsealed**: its `sequence` (the log's order)
   comes from a database sequence, and `previous_hash` and `hash` are empty.
   Writers share nothing but that sequence, so they run side by side, and the
   event is readable at once (the case timeline shows it).
2. The **sealer** (`seal_events`) links committed unsealed events into the
   hash chain in `sequence` order: each gets the previous sealed event's hash
   and a hash over its content and that link (chain.py). Sealers take one
   advisory lock among themselves; only they wait for it. A sealer runs after
   each transaction that wrote events commits, and beat runs one every few
   seconds (schedule.py), so an event waits for its place for a moment.

Transactions commit out of sequence order: a writer may hold sequence 7
uncommitted while 8 is already committed. Sealing 8 first would leave 7 no
place in the chain. So the sealer seals only up to a **horizon** no
uncommitted event can lie below, found without waiting for anyone:

- Before a writer takes its first number in a transaction, it takes a shared
  advisory lock (held until its transaction ends) whose key carries the
  sequence's current value, its *floor*: every number it takes afterwards is
  above that floor. Shared locks never wait on one another.
- The sealer reads the sequence's current value X, *then* the floors of the
  writers still holding their locks (pg_locks). The horizon is the smallest of
  X and those floors. A writer holding a number at or below X took it before
  X was read, so it registered before that too; if it has not finished, its
  floor, below its numbers, is among those read. Every number at or below the
  horizon is therefore committed (and visible) or rolled back (a gap, which
  the chain does not mind: it links events, not numbers).

A grace period (seal what is older than a few seconds) was the alternative;
it needs no lock at all, but a transaction slower than the grace period would
commit an event below the sealed head and lose its place. The floors make the
rule exact, at the price of one shared lock per writing transaction, taken by
the statement that gives it its first number. A writer
that stays open holds the horizon back for as long as it does, which is why
verify_audit reports events left unsealed longer than `UNSEALED_LIMIT`.

Tamper-evidence: a sealed event is covered by the chain and the signed
checkpoints as before. An event not yet sealed is not: someone able to write
the database could change or remove it in the seconds before it is sealed.
That window is bounded (the sealer runs on commit and every few seconds, and
verify_audit fails on events left unsealed longer) and is the price of not
serialising every write.

On SQLite, which runs one write transaction at a time anyway, the writer
seals its own event in line, as the log always did.
"""

import datetime
import logging
from contextvars import ContextVar

from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, content_hash
from .models import Event

logger = logging.getLogger(__name__)

SEQUENCE_NAME = "audit_event_sequence"
# The high 32 bits of a writer's shared lock key ("EVNT"); the low 32 bits carry its floor.
WRITER_LOCK_CLASS = 0x45564E54
# One sealer at a time: two would read the same head and fork the chain.
SEALER_LOCK_ID = 0x45584445534C  # "EXDESL"
# The floor must fit the low 32 bits of the lock key.
MAX_SEQUENCE = 2**32 - 1
# Events sealed per transaction; a sealer loops until nothing sealable is left.
BATCH = 2000
# An event older than this still unsealed is a problem verify_audit reports:
# the sealer has not run, or a transaction has been left open that long.
UNSEALED_LIMIT = datetime.timedelta(minutes=10)

# The last sequence this thread took, so its sealer after commit can see its events are linked already.
_last_sequence_taken: ContextVar[int | None] = ContextVar("last_sequence_taken", default=None)


class SealingRefused(Exception):
    """The log is not in a state the sealer may extend; nothing was sealed."""


def writers_run_concurrently() -> bool:
    # SQLite runs one write transaction at a time: there the writer seals its own event.
    return connection.vendor == "postgresql"


def take_sequence() -> int:
    """Return the next sequence number, registering this transaction as a writer of the log the first time.

    Also arranges for the sealer to run once the transaction commits.
    """
    if not writers_run_concurrently():
        last = Event.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        return (last or 0) + 1
    # The writer lock and the sealing callback live and die together with the
    # savepoint that took them, so the callback tells whether the lock is held.
    # Django keeps (savepoint ids, callback, robust) triples; the stubs still type them as pairs.
    registered = any(callback is _seal_committed for _, callback, _ in connection.run_on_commit)  # type: ignore[misc]
    with connection.cursor() as cursor:
        if registered:
            cursor.execute("SELECT nextval(%s::regclass)", [SEQUENCE_NAME])
        else:
            # The sub-select takes the lock before the outer select takes the number,
            # so the floor in the key is below the number: see the module's docstring.
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM (SELECT pg_advisory_xact_lock_shared("
                "(%s::bigint << 32) + COALESCE(pg_sequence_last_value(%s::regclass), 0)) OFFSET 0) AS registered",
                [SEQUENCE_NAME, WRITER_LOCK_CLASS, SEQUENCE_NAME],
            )
        (number,) = cursor.fetchone()
    if number > MAX_SEQUENCE:
        raise SealingRefused(f"sequence {number} no longer fits the writers' lock keys; widen WRITER_LOCK_CLASS")
    _last_sequence_taken.set(number)
    if not registered:
        transaction.on_commit(_seal_committed, robust=True)
    return number


def take_sequences(count: int) -> list[int]:
    """Return `count` next sequence numbers, in order, registered as `take_sequence` registers one."""
    if count <= 0:
        return []
    first = take_sequence()
    if count == 1:
        return [first]
    if not writers_run_concurrently():
        return list(range(first, first + count))
    with connection.cursor() as cursor:
        # The writer lock is held already (take_sequence above): the rest need only the numbers.
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [SEQUENCE_NAME, count - 1])
        rest = sorted(number for (number,) in cursor.fetchall())
    if rest[-1] > MAX_SEQUENCE:
        raise SealingRefused(f"sequence {rest[-1]} no longer fits the writers' lock keys; widen WRITER_LOCK_CLASS")
    _last_sequence_taken.set(rest[-1])
    return [first, *rest]


def horizon() -> int:
    """Return the highest sequence below which no event can still be uncommitted."""
    if not writers_run_concurrently():
        return Event.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    with connection.cursor() as cursor:
        # Read before the floors: see the module's docstring for why the order matters.
        cursor.execute("SELECT COALESCE(pg_sequence_last_value(%s::regclass), 0)", [SEQUENCE_NAME])
        (allocated,) = cursor.fetchone()
        # This session's own events are visible to it, so its own floor does not hold it back.
        cursor.execute(
            "SELECT MIN(objid::bigint) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s "
            "AND objsubid = 1 AND pid IS DISTINCT FROM pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [WRITER_LOCK_CLASS],
        )
        (lowest_floor,) = cursor.fetchone()
    return allocated if lowest_floor is None else min(allocated, lowest_floor)


def _lock_sealer(*, wait: bool) -> bool:
    if not writers_run_concurrently():
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK_ID])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEALER_LOCK_ID])
        return cursor.fetchone()[0]


def _seal_batch(*, wait: bool, covering: int | None) -> int | None:
    with transaction.atomic():
        if not _lock_sealer(wait=wait):
            return None
        head = Event.objects.sealed().order_by("-sequence").values("sequence", "hash").first()
        head_sequence, previous_hash = (head["sequence"], head["hash"]) if head else (0, GENESIS_HASH)
        if covering is not None and head_sequence >= covering:
            # The sealer before this one already linked the events it was called for.
            return 0
        events = list(Event.objects.unsealed().filter(sequence__lte=horizon()).order_by("sequence")[:BATCH])
        if events and events[0].sequence <= head_sequence:
            # record_event's numbers only grow past the sealed head: this row was put there around it.
            raise SealingRefused(
                f"event id {events[0].pk} is unsealed at sequence {events[0].sequence}, below the sealed head "
                f"{head_sequence}; it was written around the application. Run manage.py verify_audit."
            )
        rows = []
        for event in events:
            event.previous_hash = previous_hash
            event.hash = content_hash(event)
            rows.append((event.previous_hash, event.hash, event.pk))
            previous_hash = event.hash
        if rows:
            with connection.cursor() as cursor:
                # The one change an event ever undergoes, and only while unsealed: Event.save refuses updates.
                cursor.executemany(
                    "UPDATE audit_event SET previous_hash = %s, hash = %s WHERE id = %s AND hash = ''", rows
                )
                if cursor.rowcount != len(rows):
                    raise SealingRefused("an event changed while it was being sealed")
        return len(rows)


def seal_events(*, wait: bool = True, covering: int | None = None) -> int:
    """Link every committed unsealed event below the horizon into the chain, in order; return how many.

    With wait=False, return at once when another sealer is at work. With
    `covering`, stop as soon as the chain's head has reached that sequence.
    """
    sealed = 0
    while (count := _seal_batch(wait=wait, covering=covering)) == BATCH:
        sealed += count
    return sealed + (count or 0)


def _seal_committed() -> None:
    # Waits for a sealer at work rather than skipping it: the last writer's
    # sealer must run after every earlier commit. The wait is short, as a
    # sealer seals every committed event it can in one pass, and a writer whose
    # events the one before it sealed does no more than read the head.
    seal_events(wait=True, covering=_last_sequence_taken.get())


def unsealed_too_long(*, now: datetime.datetime | None = None):
    """Return the events still unsealed longer than UNSEALED_LIMIT, oldest first."""
    return Event.objects.unsealed().filter(occurred_at__lt=(now or timezone.now()) - UNSEALED_LIMIT)
