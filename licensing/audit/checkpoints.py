"""Checkpoints: the event log's head, signed and kept outside the database.

The hash chain shows a changed row, but a log cut short, emptied, or
rewritten and re-hashed from some event on still links. A checkpoint records
the head at a moment (its sequence and hash, and how many events there were),
signed with HMAC-SHA256 under AUDIT_CHECKPOINT_KEY, which the database never
holds. Each one is appended as a JSON line to a file in the private storage
and written to the log stream, so a copy survives whoever can write the
database. `verify_log` then requires the chain to reach every checkpoint with
the hash it recorded.
"""

import datetime
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone

from .chain import GENESIS_HASH, Verification, verify_chain
from .models import Event

# scripts/backup archives this folder, directly under the private storage, before the database.
CHECKPOINT_DIRECTORY = "audit-checkpoints"
CHECKPOINT_FILE = "checkpoints.jsonl"
FORMAT_VERSION = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIELDS = {"v", "sequence", "hash", "count", "taken_at", "key_id", "signature"}

logger = logging.getLogger(__name__)


class CheckpointRefused(Exception):
    """The log does not reach the last checkpoint or does not verify, so its head is not signed."""


class CheckpointFileInvalid(Exception):
    """A line of the checkpoint file is malformed, edited, forged or out of order."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    count: int
    taken_at: str
    key_id: str
    signature: str
    # Where it was read from, to name it in a report; not part of the line.
    line: int = 0

    def signed_fields(self) -> dict:
        fields = asdict(self)
        del fields["signature"], fields["line"]
        return {"v": FORMAT_VERSION, **fields}

    def as_line(self) -> str:
        return json.dumps({**self.signed_fields(), "signature": self.signature}, sort_keys=True) + "\n"

    def describe(self) -> str:
        return f"the checkpoint on line {self.line} (taken {self.taken_at})"


def key_id(key: str) -> str:
    """Return a short name of `key` that reveals nothing of it, to tell a line signed with another key from an edit."""
    return hashlib.sha256(b"exportdesk audit checkpoint key\0" + key.encode()).hexdigest()[:16]


def _signature(fields: dict, key: str) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.MEDIA_ROOT) / CHECKPOINT_DIRECTORY / CHECKPOINT_FILE


def _parse_line(text: str, number: int, key: str) -> Checkpoint:
    where = f"line {number} of the checkpoint file"
    try:
        fields = json.loads(text)
    except ValueError:
        raise CheckpointFileInvalid(f"{where} is not JSON") from None
    if not isinstance(fields, dict) or set(fields) != _FIELDS:
        raise CheckpointFileInvalid(f"{where} does not hold exactly the fields {', '.join(sorted(_FIELDS))}")
    if fields["v"] != FORMAT_VERSION:
        raise CheckpointFileInvalid(f"{where} has format version {fields['v']!r}; this release reads {FORMAT_VERSION}")
    for name in ("sequence", "count"):
        if type(fields[name]) is not int or fields[name] < 1:
            raise CheckpointFileInvalid(f"{where}: {name} is not a positive whole number")
    for name in ("hash", "signature"):
        if not isinstance(fields[name], str) or not _HEX64.fullmatch(fields[name]):
            raise CheckpointFileInvalid(f"{where}: {name} is not 64 hexadecimal digits")
    if not isinstance(fields["taken_at"], str) or not isinstance(fields["key_id"], str):
        raise CheckpointFileInvalid(f"{where}: taken_at and key_id must be text")
    if fields["key_id"] != key_id(key):
        raise CheckpointFileInvalid(
            f"{where} was signed with another key (key id {fields['key_id']}; "
            f"AUDIT_CHECKPOINT_KEY here has key id {key_id(key)})"
        )
    signature = fields.pop("signature")
    if not hmac.compare_digest(signature, _signature(fields, key)):
        raise CheckpointFileInvalid(f"{where}: its signature does not match its content; the line was edited or forged")
    del fields["v"]
    return Checkpoint(**fields, signature=signature, line=number)


def _parse(text: str, key: str) -> list[Checkpoint]:
    checkpoints: list[Checkpoint] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        checkpoint = _parse_line(line, number, key)
        if checkpoints and checkpoint.sequence < checkpoints[-1].sequence:
            raise CheckpointFileInvalid(
                f"line {number} of the checkpoint file records sequence {checkpoint.sequence}, behind "
                f"line {checkpoints[-1].line}'s {checkpoints[-1].sequence}: the lines were reordered"
            )
        checkpoints.append(checkpoint)
    return checkpoints


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Return every checkpoint on file, oldest first; a bad line raises CheckpointFileInvalid naming it."""
    path = path or checkpoint_path()
    try:
        with open(path, encoding="utf-8") as handle:
            # Waits out a line being appended, so a reader never sees half of one.
            fcntl.flock(handle, fcntl.LOCK_SH)
            text = handle.read()
    except FileNotFoundError:
        return []
    return _parse(text, settings.AUDIT_CHECKPOINT_KEY)


def verify_log(checkpoints: list[Checkpoint]) -> Verification:
    """Verify the whole sealed chain, and that it reaches every checkpoint with the hash and count each recorded."""
    anchors: dict[int, tuple[str, str]] = {}
    for checkpoint in checkpoints:
        known = anchors.setdefault(checkpoint.sequence, (checkpoint.hash, checkpoint.describe()))
        if known[0] != checkpoint.hash:
            raise CheckpointFileInvalid(
                f"{checkpoint.describe()} and {known[1]} record different hashes for sequence {checkpoint.sequence}"
            )
    result = verify_chain(Event.objects.sealed().order_by("sequence").iterator(chunk_size=2000), anchors=anchors)
    if not result.ok or not checkpoints:
        return result
    last = checkpoints[-1]
    if result.last_sequence is None or result.last_sequence < last.sequence:
        if result.last_sequence is None:
            problem = f"the log is empty but {last.describe()} recorded {last.count} events: every event was removed"
        else:
            problem = (
                f"the log ends at sequence {result.last_sequence} but {last.describe()} recorded {last.count} "
                "events: events were removed from its end"
            )
        return Verification(result.checked, last.sequence, None, problem, result.last_sequence)
    count = Event.objects.filter(sequence__lte=last.sequence).count()
    if count != last.count:
        problem = (
            f"the log holds {count} events up to sequence {last.sequence} but {last.describe()} recorded {last.count}"
        )
        return Verification(result.checked, last.sequence, None, problem, result.last_sequence)
    return result


@contextmanager
def _locked_file(path: Path) -> Iterator[IO[str]]:
    # The file holds the log's anchors: readable by the product's own user only.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+", encoding="utf-8") as handle:
        # Two takers at once (beat and the command) would both append the same head.
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield handle


def take_checkpoint(*, now: datetime.datetime | None = None) -> Checkpoint | None:
    """Sign the log's head and append it to the checkpoint file; None when the head has not moved since the last."""
    key = settings.AUDIT_CHECKPOINT_KEY
    with _locked_file(checkpoint_path()) as handle:
        handle.seek(0)
        text = handle.read()
        try:
            checkpoints = _parse(text, key)
        except CheckpointFileInvalid as error:
            raise CheckpointRefused(f"{error}; no checkpoint taken") from None
        last = checkpoints[-1] if checkpoints else None
        head = Event.objects.sealed().order_by("-sequence").values("sequence", "hash").first()
        if head is None:
            if last is not None:
                raise CheckpointRefused(f"the log is empty but {last.describe()} recorded {last.count} events")
            return None
        if last is not None:
            _refuse_unless_head_reaches(last, head)
            if head["sequence"] == last.sequence:
                return None
        # Only the events since the last checkpoint need walking: it vouches for the chain up to its head.
        result = verify_chain(
            Event.objects.filter(sequence__gt=last.sequence if last else 0, sequence__lte=head["sequence"])
            .order_by("sequence")
            .iterator(chunk_size=2000),
            after_sequence=last.sequence if last else 0,
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        if not result.ok:
            raise CheckpointRefused(
                f"broken link at sequence {result.broken_at} (event id {result.event_id}): {result.problem}"
            )
        # Sequences skip the numbers of rolled-back writers, so the count comes from the walk.
        count = Event.objects.filter(sequence__lte=head["sequence"]).count()
        if count != (last.count if last else 0) + result.checked:
            raise CheckpointRefused(
                f"the log holds {count} events up to sequence {head['sequence']}, but "
                f"{(last.count if last else 0) + result.checked} since the start of the chain verified"
            )
        fields = {
            "v": FORMAT_VERSION,
            "sequence": head["sequence"],
            "hash": head["hash"],
            "count": count,
            "taken_at": (now or timezone.now()).astimezone(datetime.UTC).isoformat(timespec="seconds"),
            "key_id": key_id(key),
        }
        checkpoint = Checkpoint(
            **{name: value for name, value in fields.items() if name != "v"},
            signature=_signature(fields, key),
            line=len(text.splitlines()) + 1,
        )
        handle.write(checkpoint.as_line())
        handle.flush()
        os.fsync(handle.fileno())
    # The second copy, in the log stream: a line any log shipper keeps, the same as the file's.
    logger.info("audit checkpoint %s", checkpoint.as_line().strip())
    return checkpoint


def _refuse_unless_head_reaches(last: Checkpoint, head: dict) -> None:
    if head["sequence"] < last.sequence:
        raise CheckpointRefused(
            f"the log ends at sequence {head['sequence']} but {last.describe()} recorded {last.count} events"
        )
    if head["sequence"] == last.sequence and head["hash"] != last.hash:
        raise CheckpointRefused(f"the head's hash differs from the one {last.describe()} recorded")
    if head["sequence"] > last.sequence:
        anchored = Event.objects.filter(sequence=last.sequence).values_list("hash", flat=True).first()
        if anchored != last.hash:
            raise CheckpointRefused(f"the event at sequence {last.sequence} differs from {last.describe()}")
