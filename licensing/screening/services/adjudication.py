"""Adjudicate hits: true match, false positive (cleared by a second officer), or sent back.

Every move goes through the hit's state machine, which checks the role, the
four-eyes rule and the reason, and writes the event. The subject's pending
transactions are decided again after commit, since a hit holds them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User

from ..models import Hit
from ..workflow import HIT_MACHINE

OUTCOMES = {
    "true_match": "confirm_match",
    "false_positive": "propose_false_positive",
    "clear": "clear",
    "send_back": "reject_clearing",
    "no_longer_listed": "close_delisted",
}


def adjudicate_hit(*, actor: User | None, hit: Hit, outcome: str, reason: str = "") -> Hit:
    """Record an officer's adjudication: true_match, false_positive, clear, send_back or no_longer_listed."""
    try:
        name = OUTCOMES[outcome]
    except KeyError:
        raise ValidationError({"outcome": f"Unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}."}) from None
    reason = (reason or "").strip()
    if name == "close_delisted" and hit.flagged_at is None:
        raise ValidationError({"outcome": "Only a hit whose entry left the lists may be closed as no longer listed."})

    def stamp(locked: Hit) -> list[str]:
        now = timezone.now()
        if name == "propose_false_positive":
            locked.proposed_by, locked.proposal_reason = actor, reason
            locked.adjudicated_by, locked.adjudicated_at, locked.adjudication_reason = None, None, ""
            return ["proposed_by", "proposal_reason", "adjudicated_by", "adjudicated_at", "adjudication_reason"]
        if name == "close_delisted":
            locked.adjudicated_by, locked.adjudicated_at, locked.adjudication_reason = actor, now, reason
            return ["adjudicated_by", "adjudicated_at", "adjudication_reason"]
        if name == "reject_clearing":
            locked.proposed_by, locked.proposal_reason = None, ""
            return ["proposed_by", "proposal_reason"]
        # A true match or a clearance holds for this content of the entry.
        locked.adjudicated_by, locked.adjudicated_at = actor, now
        locked.adjudication_reason = reason or locked.proposal_reason
        locked.adjudicated_fingerprint = locked.entry.fingerprint
        return ["adjudicated_by", "adjudicated_at", "adjudication_reason", "adjudicated_fingerprint"]

    with transaction.atomic():
        updated = HIT_MACHINE.apply(
            hit,
            name,
            actor=actor,
            reason=reason,
            changes=stamp,
            extra_event_data={"entry": hit.entry_id, "entry_key": hit.entry_key},
        )
    return updated
