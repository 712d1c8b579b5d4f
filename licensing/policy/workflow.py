"""A rule change's moves: simulated, approved by a second administrator, put in force on its day, or withdrawn."""

from licensing.accounts.permissions import Action
from licensing.workflow.machine import StateMachine, Transition

from .models import RuleChange

S = RuleChange.Status

RULE_CHANGE_MACHINE = StateMachine(
    model=RuleChange,
    verb_prefix="rule_change.",
    transitions=(
        # The simulator records its run; an edit afterwards sends the change back to draft (see services).
        Transition("mark_simulated", (S.DRAFT, S.SIMULATED), S.SIMULATED, None, "mark simulated", system_only=True),
        Transition("return_to_draft", (S.SIMULATED,), S.DRAFT, None, "return to draft", system_only=True),
        Transition(
            "approve",
            (S.SIMULATED,),
            S.APPROVED,
            Action.MANAGE_REFERENCE_DATA,
            "approve",
            not_by_field="drafted_by",
        ),
        Transition("put_in_force", (S.APPROVED,), S.IN_FORCE, None, "put in force", system_only=True),
        Transition(
            "withdraw",
            (S.DRAFT, S.SIMULATED, S.APPROVED),
            S.WITHDRAWN,
            Action.MANAGE_REFERENCE_DATA,
            "withdraw",
            requires_reason=True,
        ),
    ),
)
