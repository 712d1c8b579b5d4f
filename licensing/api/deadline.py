"""A deadline for a request's database work that the client enforces, for a database that never answers.

PostgreSQL's statement_timeout is the server's to enforce: a server that is
frozen (stopped, swapped out, its disk hung) never answers, so nothing it was
told helps, and the request's read waits until the worker is killed. Here a
watchdog closes the connection's socket once the deadline passes: the blocked
read fails at once, the caller answers (the access check: 503, refusing), and
the connection, now useless, is discarded, so the next request connects
afresh (bounded by connect_timeout).

One watchdog thread per process serves every request: a thread per request
would cost the access check more than its decision. It wakes only for a
deadline whose request is still running: a request answered in time leaves
its deadline behind, dropped the next time the watchdog wakes, rather than
waking it once per request (a thread switch, and a hand-over of the
interpreter lock, for every check).
"""

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from contextlib import contextmanager

from django.db import connections

log = logging.getLogger(__name__)


class Deadline:
    """One request's deadline; `passed` says whether the watchdog cut its connection."""

    def __init__(self, seconds: float, wrapper):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.passed = False
        self._wrapper = wrapper
        self._lock = threading.Lock()
        self._over = False

    def expire(self) -> None:
        # The lock makes "the request is over" and "cut the connection"
        # exclusive: a connection is never cut once the request has moved on.
        with self._lock:
            if self._over:
                return
            self.passed = True
            _cut(self._wrapper)

    def finish(self) -> bool:
        with self._lock:
            self._over = True
            return self.passed

    @property
    def over(self) -> bool:
        # Read without the lock: a stale False only makes the watchdog wait
        # until the deadline and ask `expire`, which decides under the lock.
        return self._over


class _Watchdog:
    """A thread that expires deadlines as they pass; started in each process on first use."""

    def __init__(self):
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._pid = None
        # When the watchdog wakes next (None: only when told); guarded by the condition.
        self._wakes_at: float | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._condition:
            if self._pid != os.getpid():
                # First use in this process (a forked worker inherits no threads).
                self._heap.clear()
                self._wakes_at = None
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="database-deadlines", daemon=True).start()
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._wakes_at is None or deadline.at < self._wakes_at:
                self._wakes_at = deadline.at
                self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                deadline = self._next_passed()
            try:
                deadline.expire()
            except Exception:
                log.exception("could not cut a connection past its deadline")

    def _next_passed(self) -> Deadline:
        """Wait (holding the condition) for the next deadline to pass whose request is not over; return it."""
        while True:
            while self._heap and self._heap[0][2].over:
                heapq.heappop(self._heap)
            if not self._heap:
                self._wakes_at = None
                self._condition.wait()
                continue
            at = self._heap[0][0]
            if at <= time.monotonic():
                return heapq.heappop(self._heap)[2]
            self._wakes_at = at
            self._condition.wait(at - time.monotonic())


_WATCHDOG = _Watchdog()


@contextmanager
def database_deadline(seconds: float, *, using: str = "default"):
    """Bound the database work inside the block: past `seconds`, its connection is cut and its query fails."""
    wrapper = connections[using]
    deadline = Deadline(seconds, wrapper)
    _WATCHDOG.watch(deadline)
    try:
        yield deadline
    finally:
        if deadline.finish():
            log.warning("the database did not answer within %.0f ms; its connection is discarded", seconds * 1000)
            _discard(wrapper)


def _cut(wrapper) -> None:
    driver = wrapper.connection
    if driver is None:
        # Still connecting: connect_timeout bounds that.
        return
    try:
        fd = driver.fileno()
    except Exception:
        return
    # Shut down through a duplicate: the socket itself stays the driver's to
    # close, and every reader of it sees the end of the stream at once.
    cut = socket.socket(fileno=os.dup(fd))
    try:
        cut.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        cut.close()


def _discard(wrapper) -> None:
    try:
        wrapper.close()
    except Exception:
        # Closing a cut connection may complain; it is gone either way.
        wrapper.connection = None
