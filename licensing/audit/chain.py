"""The hash chain that makes the event log tamper-evident.

Each event stores the hash of the one before it and a hash over its own
content plus that link, so changing, removing or reordering any row breaks
every hash after it. `verify_chain` recomputes the chain from the first event.
A chain cut short, or rewritten and re-hashed from some event on, still links;
the checkpoints (checkpoints.py) anchor it from outside the database.
"""

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

GENESIS_HASH = "0" * 64
# Any constant identifies the lock; every writer of the log takes the same one.
CHAIN_LOCK_ID = 0x45584445534B  # "EXDESK"


def as_stored_json(value):
    """Return `value` as it reads back from a JSON column, so hashes agree before and after saving."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def content_hash(event) -> str:
    occurred_at = event.occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    payload = {
        "sequence": event.sequence,
        "occurred_at": occurred_at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "target_type": event.target_type_id,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "previous_hash": event.previous_hash,
    }
    # Added after the log began: hashed only when set, so events written
    # before it existed still verify, and setting or clearing it breaks the hash.
    if event.api_token_id is not None:
        payload["api_token_id"] = event.api_token_id
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_chain() -> None:
    """Serialise appends to the log until the current transaction ends."""
    # On PostgreSQL concurrent writers would otherwise read the same head and
    # fork the chain. SQLite already runs one write transaction at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None = None
    event_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(
    events,
    *,
    anchors: Mapping[int, tuple[str, str]] | None = None,
    first_sequence: int = 1,
    previous_hash: str = GENESIS_HASH,
) -> Verification:
    """Walk events in sequence order and report the first broken link.

    `anchors` maps a sequence to the hash a checkpoint recorded for it and a
    name for that checkpoint; `first_sequence` and `previous_hash` start the
    walk part-way, from a head already known to be good.
    """
    anchors = anchors or {}
    expected_sequence = first_sequence
    checked = 0
    for event in events:
        if event.sequence != expected_sequence:
            return Verification(checked, event.sequence, event.pk, f"expected sequence {expected_sequence}")
        if event.previous_hash != previous_hash:
            return Verification(checked, event.sequence, event.pk, "does not link to the event before it")
        if content_hash(event) != event.hash:
            return Verification(checked, event.sequence, event.pk, "content does not match its hash")
        if (anchor := anchors.get(event.sequence)) is not None and anchor[0] != event.hash:
            problem = f"hash differs from the one {anchor[1]} recorded: the chain was rewritten at or before it"
            return Verification(checked, event.sequence, event.pk, problem)
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    return Verification(checked)
