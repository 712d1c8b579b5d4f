from licensing.accounts.permissions import Action
from licensing.workflow.machine import StateMachine, Transition

from .models import ForeignPersonDetermination

S = ForeignPersonDetermination.Status

DETERMINATION_MACHINE = StateMachine(
    model=ForeignPersonDetermination,
    verb_prefix="determination.",
    transitions=(
        Transition("submit", (S.DRAFT,), S.IN_REVIEW, Action.PREPARE_DETERMINATION, "submit for review"),
        Transition(
            "approve",
            (S.IN_REVIEW,),
            S.APPROVED,
            Action.APPROVE_DETERMINATION,
            "approve",
            not_by_field="prepared_by",
        ),
        Transition(
            "reject",
            (S.IN_REVIEW,),
            S.REJECTED,
            Action.APPROVE_DETERMINATION,
            "reject",
            requires_reason=True,
            not_by_field="prepared_by",
        ),
        Transition(
            "return_to_preparer",
            (S.IN_REVIEW,),
            S.DRAFT,
            Action.APPROVE_DETERMINATION,
            "return to the preparer",
            requires_reason=True,
        ),
        Transition("supersede", (S.APPROVED,), S.SUPERSEDED, None, "supersede", system_only=True),
    ),
)
