"""The reactions table: each event verb, and what follows it, in order.

Read it as "when this is recorded, do these". Rows that share reactions (the
moves of a state machine) are built from the machine's own list of verbs, so a
new transition reacts like its siblings without an edit here.
"""

from collections.abc import Callable, Iterable
from typing import Any

from licensing.audit.models import Event
from licensing.audit.verbs import Verb
from licensing.cases.workflow import APPLICATION_MACHINE, LICENCE_MACHINE
from licensing.determinations.workflow import DETERMINATION_MACHINE
from licensing.screening.workflow import HIT_MACHINE

from . import deadlines, decisions, filings, licences, policy, restoration, screening, triage, webhooks

# Each reaction takes the event and the record it is about, of the model its verbs are about: Any, since
# one table holds reactions to applications, licences, customers and hits alike.
Reaction = Callable[[Event, Any], None]


def _table(*rows: tuple[Iterable[str], tuple[Reaction, ...]]) -> dict[str, tuple[Reaction, ...]]:
    # A verb named in several rows gets the reactions of each, in the order of the rows.
    table: dict[str, tuple[Reaction, ...]] = {}
    for verbs, reactions in rows:
        for verb in verbs:
            table[Verb(verb)] = table.get(verb, ()) + reactions
    return table


REACTIONS = _table(
    # Applications: every move may start, stop or close a clock, and billing hears of it.
    (
        APPLICATION_MACHINE.verbs(),
        (deadlines.recompute_case, filings.queue_on_approval, webhooks.application_status_changed),
    ),
    # Once filed, the documents BIS received are rendered again as the filed version.
    ((Verb.APPLICATION_MARK_SUBMITTED,), (filings.queue_filed_versions_on_submission,)),
    # The case's papers move its clocks too.
    (
        (
            Verb.APPLICATION_CONSIGNEE_STATEMENT_RECORDED,
            Verb.APPLICATION_INTENT_TO_DENY_RESPONSE_RECORDED,
        ),
        (deadlines.recompute_case,),
    ),
    ((Verb.RETENTION_TRANSFER_RECORDED,), (deadlines.recompute_retention_case,)),
    # A draft's parties are screened as they are named.
    (
        (Verb.APPLICATION_CREATED, Verb.APPLICATION_PARTY_ADDED, Verb.APPLICATION_PARTY_CHANGED),
        (screening.screen_parties,),
    ),
    # Licences.
    (LICENCE_MACHINE.verbs(), (deadlines.recompute_licence_case,)),
    ((Verb.LICENCE_EXPIRE,), (webhooks.licence_expired,)),
    # Billing hears when the gateway will let no more calls through under a licence.
    ((Verb.LICENCE_ALLOWANCE_USED_UP,), (webhooks.licence_allowance_used_up,)),
    (
        (Verb.LICENCE_ISSUED,),
        (webhooks.licence_issued, decisions.redecide_licensed_transaction),
    ),
    ((Verb.LICENCE_USAGE_RECORDED,), (deadlines.recompute_licence_case,)),
    # Decisions.
    ((Verb.TRANSACTION_DECIDED,), (webhooks.transaction_decided,)),
    ((Verb.OWNERSHIP_RULE_SUSPENDED, Verb.OWNERSHIP_RULE_RESUMED), (decisions.redecide_owned_customers,)),
    # Determinations: the review-by clock, and the transactions waiting on one.
    (DETERMINATION_MACHINE.verbs(), (deadlines.recompute_determination,)),
    ((Verb.DETERMINATION_APPROVE,), (decisions.redecide_determined_subject,)),
    # A person's visa: its expiry is a clock the officer is reminded of.
    ((Verb.PERSON_VISA_RECORDED,), (deadlines.recompute_visas,)),
    # Parties: a new name or address is screened; a new standing is decided on and told.
    (
        (
            Verb.CUSTOMER_CREATED,
            Verb.CUSTOMER_UPDATED,
            Verb.CUSTOMER_ADDRESS_ADDED,
            Verb.CUSTOMER_ADDRESS_CHANGED,
            Verb.PERSON_CREATED,
            Verb.PERSON_UPDATED,
        ),
        (screening.screen_target,),
    ),
    ((Verb.CUSTOMER_UPDATED,), (webhooks.customer_held_if_status_changed,)),
    ((Verb.CUSTOMER_STATUS_CHANGED,), (webhooks.customer_held, decisions.redecide_customer)),
    # Screening: what changed a decision's screening facts decides the waiting transactions again.
    # ... and triages again those of them in the restoration campaign (out of "awaiting screening").
    (
        (Verb.SCREENING_SUBJECTS_AFFECTED,),
        (decisions.redecide_screened_subjects, triage.retriage_screened_subjects),
    ),
    ((Verb.SCREENING_HIT_CONFIRM_MATCH,), (licences.open_reviews,)),
    (HIT_MACHINE.verbs(), (decisions.redecide_hit_subject,)),
    ((Verb.CUSTOMER_OWNERSHIP_RECORDED,), (decisions.redecide_owned_customer,)),
    # A customer's signed answers are evidence: its subject is triaged again on them (nothing is approved).
    ((Verb.ATTESTATION_SUBMITTED,), (restoration.retriage_attested_subject,)),
    # A triaged subject's facts changed (its papers, owners, statuses or screening): propose its bucket again.
    (
        (
            Verb.CUSTOMER_UPDATED,
            Verb.CUSTOMER_ADDRESS_ADDED,
            Verb.CUSTOMER_ADDRESS_CHANGED,
            Verb.CUSTOMER_OWNERSHIP_RECORDED,
            Verb.PERSON_UPDATED,
            Verb.PERSON_STATUS_RECORDED,
            Verb.PERSON_STATUS_ENDED,
            Verb.SCREENING_HIT_OPENED,
            *HIT_MACHINE.verbs(),
        ),
        (triage.retriage_changed_subject,),
    ),
    # A rule change's day has come: what waits on the items it touches is decided again under it.
    ((Verb.RULE_CHANGE_PUT_IN_FORCE,), (policy.redecide_under_change,)),
)
