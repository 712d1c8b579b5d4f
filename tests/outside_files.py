"""A guard that no test reads a file outside the checkout.

The product, its tests and its benchmarks carry the data they need (the list
snapshots under licensing/screening/data, the EAR tables under
licensing/reference/data); a test that opened a file in a folder beside the
checkout would pass here and fail in a fresh clone. Python's audit
hooks see every `open` (and every `os.listdir`/`os.scandir`) made by Python
code in this process, so tests/conftest.py installs one at session start and
fails the test during which a file outside the allowed places was touched.

Not covered: subprocesses (gunicorn, Celery workers, `manage.py` runs that a
test starts) and files opened by C libraries themselves (fontconfig,
WeasyPrint's Pango, libpq). Those run the same product code the tests do
in-process, so a product read outside the checkout still shows here.
"""

import os
import sys
import tempfile
import threading
from pathlib import Path

EVENTS = frozenset({"open", "os.listdir", "os.scandir"})

# The system's own folders: libraries, configuration, devices, sockets and the
# temporary directory. Python's stdlib opens some of these (mimetypes reads
# /etc/mime.types, zoneinfo /usr/share/zoneinfo, ssl the CA bundle).
SYSTEM_ROOTS = (
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/run",
    "/var/lib/postgresql",
    "/var/tmp",
    "/tmp",
)


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep) for root in roots)


def _normal(path) -> str:
    return os.path.normpath(os.path.abspath(os.fsdecode(path)))


class OutsideFiles:
    """Decides whether a path is outside the allowed places, and records those touched while armed.

    A path under the checkout is allowed; anything else beside the checkout
    (its parent folder and everything in it) is refused, unless it is in one
    of the places named for this process (the virtualenv, the interpreter's
    own prefix, pytest's temporary directory) that lie there. Places that
    contain the checkout's parent (the temporary directory, when the
    checkout is itself a temporary clone) do not let its siblings through.
    """

    def __init__(self, *, checkout, allowed=(), system=SYSTEM_ROOTS, home=None):
        self.checkout = _normal(checkout)
        self.parent = os.path.dirname(self.checkout)
        home = _normal(home if home is not None else Path.home())
        roots = {_normal(root) for root in (*allowed, *system)}
        # Caches the C libraries' font and browser lookups may leave Python to read.
        roots |= {os.path.join(home, ".cache", "fontconfig"), os.path.join(home, ".cache", "ms-playwright")}
        roots.discard(self.checkout)
        # A root that holds the checkout's parent would let a sibling of the
        # checkout through, so such roots are only consulted after the
        # sibling check; the others (the virtualenv beside the checkout) first.
        self.near = tuple(sorted(r for r in roots if not _under(self.parent, (r,))))
        self.far = tuple(sorted(r for r in roots if _under(self.parent, (r,))))
        self.touched: list[tuple[str, str]] = []
        self.armed = False
        self._lock = threading.Lock()

    def refuses(self, path) -> bool:
        """Return whether a test may not read this path."""
        path = _normal(path)
        if _under(path, (self.checkout,)) or _under(path, self.near):
            return False
        if self.parent != os.sep and _under(path, (self.parent,)):
            return True
        return not _under(path, self.far)

    def audit(self, event: str, args: tuple) -> None:
        # Runs on every audit event in the process (imports, compiles,
        # sockets...), so the common case returns at the first comparison.
        if event not in EVENTS or not self.armed:
            return
        path = args[0]
        if path is None or isinstance(path, int):
            # An already-open descriptor (os.fdopen, scandir(fd)): its path was checked when it was opened.
            return
        if self.refuses(path):
            with self._lock:
                self.touched.append((event, _normal(path)))

    def take(self) -> list[tuple[str, str]]:
        """Return the paths touched since the last call, and forget them."""
        with self._lock:
            touched, self.touched = self.touched, []
        return touched


def for_this_process(checkout, *, also=()) -> OutsideFiles:
    """Return a guard allowing this interpreter's own places, the temporary directory and the places `also` names."""
    allowed = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, tempfile.gettempdir(), *also}
    return OutsideFiles(checkout=checkout, allowed=allowed)


def describe(touched: list[tuple[str, str]]) -> str:
    lines = sorted({f"  {path} ({event})" for event, path in touched})
    return "read outside the checkout (the repository must carry what its tests need):\n" + "\n".join(lines)
