"""The application's and the licence's state machines, as tables."""

from licensing.accounts.permissions import Action
from licensing.workflow.machine import StateMachine, Transition

from .models import Licence, LicenceApplication

A = LicenceApplication.Status
L = Licence.Status

# BIS is working on the case in these statuses; the applicant may withdraw.
AT_BIS = (
    A.SUBMITTED,
    A.REGISTERED,
    A.INFORMATION_REQUESTED,
    A.PRE_LICENCE_CHECK,
    A.REFERRED,
    A.ESCALATED,
    A.INTENT_TO_DENY,
    A.INTENT_TO_DENY_ANSWERED,
)
UNDER_REVIEW_AT_BIS = (A.REGISTERED, A.PRE_LICENCE_CHECK, A.REFERRED, A.ESCALATED)
# BIS decides after an intent to deny whether or not the applicant answered it.
AFTER_INTENT_TO_DENY = (A.INTENT_TO_DENY, A.INTENT_TO_DENY_ANSWERED)
BIS = Action.RECORD_BIS_ACTION

APPLICATION_MACHINE = StateMachine(
    model=LicenceApplication,
    verb_prefix="application.",
    transitions=(
        Transition("submit_for_review", (A.DRAFT,), A.IN_REVIEW, Action.PREPARE_APPLICATION, "submit for review"),
        Transition(
            "return_to_preparer",
            (A.IN_REVIEW,),
            A.DRAFT,
            Action.REVIEW_APPLICATION,
            "return to the preparer",
            requires_reason=True,
        ),
        Transition(
            "approve_for_filing",
            (A.IN_REVIEW,),
            A.APPROVED_FOR_FILING,
            Action.REVIEW_APPLICATION,
            "approve for filing",
            not_by_field="prepared_by",
        ),
        Transition("mark_submitted", (A.APPROVED_FOR_FILING,), A.SUBMITTED, BIS, "record submission to BIS"),
        Transition("record_registration", (A.SUBMITTED,), A.REGISTERED, BIS, "record registration"),
        Transition(
            "record_information_request",
            UNDER_REVIEW_AT_BIS,
            A.INFORMATION_REQUESTED,
            BIS,
            "record a request for information",
        ),
        Transition(
            "record_information_supplied",
            (A.INFORMATION_REQUESTED,),
            A.REGISTERED,
            Action.RESPOND_TO_BIS,
            "record that the information was supplied",
        ),
        Transition(
            "record_pre_licence_check",
            (A.REGISTERED, A.REFERRED),
            A.PRE_LICENCE_CHECK,
            BIS,
            "record a pre-licence check",
        ),
        Transition(
            "record_referral", (A.REGISTERED, A.PRE_LICENCE_CHECK), A.REFERRED, BIS, "record referral to agencies"
        ),
        Transition("record_escalation", (A.REFERRED,), A.ESCALATED, BIS, "record escalation"),
        Transition("record_intent_to_deny", UNDER_REVIEW_AT_BIS, A.INTENT_TO_DENY, BIS, "record an intent to deny"),
        # The applicant's answer (750.6): BIS's clock runs again while it weighs it.
        Transition(
            "record_intent_to_deny_response",
            (A.INTENT_TO_DENY,),
            A.INTENT_TO_DENY_ANSWERED,
            Action.RESPOND_TO_BIS,
            "record the response to the intent to deny",
        ),
        Transition(
            "record_approval",
            UNDER_REVIEW_AT_BIS + AFTER_INTENT_TO_DENY,
            A.APPROVED,
            BIS,
            "record approval",
        ),
        Transition(
            "record_approval_with_conditions",
            UNDER_REVIEW_AT_BIS + AFTER_INTENT_TO_DENY,
            A.APPROVED_WITH_CONDITIONS,
            BIS,
            "record approval with conditions",
        ),
        Transition(
            "record_denial",
            UNDER_REVIEW_AT_BIS + AFTER_INTENT_TO_DENY,
            A.DENIED,
            BIS,
            "record denial",
            requires_reason=True,
        ),
        Transition(
            "record_return_without_action",
            (A.SUBMITTED,) + UNDER_REVIEW_AT_BIS,
            A.RETURNED_WITHOUT_ACTION,
            BIS,
            "record return without action",
            requires_reason=True,
        ),
        Transition(
            "record_return_not_required",
            UNDER_REVIEW_AT_BIS,
            A.RETURNED_NOT_REQUIRED,
            BIS,
            "record return as licence not required",
            requires_reason=True,
        ),
        Transition(
            "withdraw",
            (A.DRAFT, A.IN_REVIEW, A.APPROVED_FOR_FILING) + AT_BIS,
            A.WITHDRAWN,
            Action.REVIEW_APPLICATION,
            "withdraw",
            requires_reason=True,
        ),
    ),
)

LICENCE_MACHINE = StateMachine(
    model=Licence,
    verb_prefix="licence.",
    transitions=(
        Transition("suspend", (L.ACTIVE,), L.SUSPENDED, Action.MANAGE_LICENCE, "suspend", requires_reason=True),
        Transition("reinstate", (L.SUSPENDED,), L.ACTIVE, Action.MANAGE_LICENCE, "reinstate", requires_reason=True),
        Transition("revoke", (L.ACTIVE, L.SUSPENDED), L.REVOKED, Action.MANAGE_LICENCE, "revoke", requires_reason=True),
        Transition(
            "replace", (L.ACTIVE, L.SUSPENDED), L.REPLACED, Action.MANAGE_LICENCE, "replace", requires_reason=True
        ),
        Transition("expire", (L.ACTIVE, L.SUSPENDED), L.EXPIRED, None, "expire", system_only=True),
        Transition("exhaust", (L.ACTIVE,), L.EXHAUSTED, None, "mark exhausted", system_only=True),
    ),
)
