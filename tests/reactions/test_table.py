"""The event verbs are one typed set, and the reactions table is keyed by it."""

import pytest

from licensing.audit.services import record_event
from licensing.audit.verbs import UnknownVerb, Verb
from licensing.cases.workflow import APPLICATION_MACHINE, LICENCE_MACHINE
from licensing.determinations.workflow import DETERMINATION_MACHINE
from licensing.reactions import deadlines, decisions, filings, screening, webhooks
from licensing.reactions.table import REACTIONS
from licensing.screening.workflow import HIT_MACHINE

from ..factories import CustomerFactory

MACHINES = (APPLICATION_MACHINE, LICENCE_MACHINE, DETERMINATION_MACHINE, HIT_MACHINE)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.verb_prefix)
def test_every_move_of_every_machine_is_a_listed_verb(machine):
    assert set(machine.verbs()) <= set(Verb.values)


def test_an_unlisted_verb_is_refused_and_writes_nothing(db):
    customer = CustomerFactory()
    with pytest.raises(UnknownVerb):
        record_event(actor=None, verb="customer.renamed_somehow", target=customer)


def test_every_row_of_the_table_is_keyed_by_a_listed_verb():
    assert set(REACTIONS) <= set(Verb.values)


@pytest.mark.parametrize(
    ("verb", "reaction"),
    [
        (Verb.APPLICATION_APPROVE_FOR_FILING, filings.queue_on_approval),
        (Verb.APPLICATION_RECORD_REGISTRATION, deadlines.recompute_case),
        (Verb.APPLICATION_SUBMIT_FOR_REVIEW, webhooks.application_status_changed),
        (Verb.APPLICATION_CONSIGNEE_STATEMENT_RECORDED, deadlines.recompute_case),
        (Verb.APPLICATION_PARTY_ADDED, screening.screen_parties),
        (Verb.TRANSACTION_DECIDED, webhooks.transaction_decided),
        (Verb.LICENCE_ISSUED, decisions.redecide_licensed_transaction),
        (Verb.LICENCE_EXPIRE, webhooks.licence_expired),
        (Verb.LICENCE_USAGE_RECORDED, deadlines.recompute_licence_case),
        (Verb.CUSTOMER_STATUS_CHANGED, decisions.redecide_customer),
        (Verb.CUSTOMER_UPDATED, screening.screen_target),
        (Verb.CUSTOMER_ADDRESS_ADDED, screening.screen_target),
        (Verb.PERSON_CREATED, screening.screen_target),
        (Verb.DETERMINATION_APPROVE, decisions.redecide_determined_subject),
        (Verb.DETERMINATION_SUPERSEDE, deadlines.recompute_determination),
        (Verb.SCREENING_SUBJECTS_AFFECTED, decisions.redecide_screened_subjects),
        (Verb.SCREENING_HIT_CLEAR, decisions.redecide_hit_subject),
        (Verb.RETENTION_TRANSFER_RECORDED, deadlines.recompute_retention_case),
    ],
)
def test_what_follows_each_event_is_read_from_its_row(verb, reaction):
    assert reaction in REACTIONS[verb]


def test_a_recorded_event_runs_its_rows_reactions_in_its_transaction(db, django_capture_on_commit_callbacks):
    from licensing.outbox.models import OutboxMessage

    customer = CustomerFactory()

    with django_capture_on_commit_callbacks():
        record_event(actor=None, verb=Verb.CUSTOMER_UPDATED, target=customer, after={"legal_name": "New"})

    # The screening of the new name is waiting in the outbox, written in the event's transaction.
    assert OutboxMessage.objects.filter(task="licensing.screening.tasks.screen_subject_task").exists()
