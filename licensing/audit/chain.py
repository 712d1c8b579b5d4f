"""The hash chain that makes the event log tamper-evident.

Each event stores the hash of the one before it and a hash over its own
content plus that link, so changing, removing or reordering any row breaks
every hash after it. The links are made by the sealer (sealing.py), in
`sequence` order, shortly after the event's transaction commits.
`verify_chain` recomputes the chain from the first event. A chain cut short,
or rewritten and re-hashed from some event on, still links; the checkpoints
(checkpoints.py) anchor it from outside the database.
"""

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def as_stored_json(value: Any) -> Any:
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


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None = None
    event_id: int | None = None
    problem: str = ""
    # The sequence of the last event that verified, None when none did.
    last_sequence: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(
    events,
    *,
    anchors: Mapping[int, tuple[str, str]] | None = None,
    after_sequence: int = 0,
    previous_hash: str = GENESIS_HASH,
) -> Verification:
    """Walk sealed events in sequence order and report the first broken link.

    `anchors` maps a sequence to the hash a checkpoint recorded for it and a
    name for that checkpoint; `after_sequence` and `previous_hash` start the
    walk part-way, after a head already known to be good. Sequences may skip
    numbers (a rolled-back writer's), but never one a checkpoint recorded.
    """
    anchors = anchors or {}
    waiting = sorted(sequence for sequence in anchors if sequence > after_sequence)
    last_sequence = None
    checked = 0
    for event in events:
        if event.sequence <= after_sequence:
            return Verification(checked, event.sequence, event.pk, "is out of sequence order", last_sequence)
        if waiting and waiting[0] < event.sequence:
            problem = (
                f"the event at sequence {waiting[0]}, which {anchors[waiting[0]][1]} recorded, is missing before it: "
                "the chain was rewritten"
            )
            return Verification(checked, event.sequence, event.pk, problem, last_sequence)
        if not event.hash:
            return Verification(checked, event.sequence, event.pk, "is not sealed", last_sequence)
        if event.previous_hash != previous_hash:
            return Verification(
                checked, event.sequence, event.pk, "does not link to the event before it", last_sequence
            )
        if content_hash(event) != event.hash:
            return Verification(checked, event.sequence, event.pk, "content does not match its hash", last_sequence)
        if waiting and waiting[0] == event.sequence:
            waiting.pop(0)
            if anchors[event.sequence][0] != event.hash:
                problem = (
                    f"hash differs from the one {anchors[event.sequence][1]} recorded: "
                    "the chain was rewritten at or before it"
                )
                return Verification(checked, event.sequence, event.pk, problem, last_sequence)
        previous_hash = event.hash
        after_sequence = last_sequence = event.sequence
        checked += 1
    return Verification(checked, last_sequence=last_sequence)
