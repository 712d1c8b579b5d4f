"""The hit's state machine, as a table.

An officer confirms a true match, or proposes a false positive with the
reason; a second officer clears it (four eyes) or sends it back. The system
reopens a cleared hit when its entry changes in a later list version. A
hit whose entry has left the lists is closed by the system if it was
cleared; one that still holds (open, being cleared, confirmed) is flagged
and keeps holding until an officer closes it with a reason.
"""

from licensing.accounts.permissions import Action
from licensing.workflow.machine import StateMachine, Transition

from .models import Hit

H = Hit.Status
ADJUDICATE = Action.ADJUDICATE_SCREENING_HITS

HIT_MACHINE = StateMachine(
    model=Hit,
    verb_prefix="screening.hit.",
    transitions=(
        Transition(
            "confirm_match", (H.OPEN,), H.CONFIRMED, ADJUDICATE, "confirm as a true match", requires_reason=True
        ),
        Transition(
            "propose_false_positive",
            (H.OPEN,),
            H.CLEARING,
            ADJUDICATE,
            "mark as a false positive",
            requires_reason=True,
        ),
        Transition(
            "clear",
            (H.CLEARING,),
            H.CLEARED,
            ADJUDICATE,
            "clear as a false positive",
            not_by_field="proposed_by",
        ),
        Transition(
            "reject_clearing",
            (H.CLEARING,),
            H.OPEN,
            ADJUDICATE,
            "send back as not a false positive",
            requires_reason=True,
        ),
        Transition("reopen", (H.CLEARED,), H.OPEN, None, "reopen", system_only=True),
        Transition("delist", (H.OPEN, H.CLEARING, H.CLEARED, H.CONFIRMED), H.DELISTED, None, "close", system_only=True),
        Transition(
            "close_delisted",
            (H.OPEN, H.CLEARING, H.CONFIRMED),
            H.DELISTED,
            ADJUDICATE,
            "close: the entry is no longer listed",
            requires_reason=True,
        ),
        Transition("relist", (H.DELISTED,), H.OPEN, None, "reopen", system_only=True),
    ),
)
