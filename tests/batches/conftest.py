import pytest

from licensing.batches.models import DeterminationBatch
from licensing.batches.services.preparation import prepare_batch, start_batch
from licensing.restoration.models import Proposal
from licensing.restoration.services.triage import accept_proposals, triage_subjects
from tests.factories import CustomerFactory, letter
from tests.restoration_rules import ensure_seeded_rule_set


@pytest.fixture
def book(reference_data, officer, item):
    """25 U.S. customers triaged as restorable, their proposals accepted by an officer."""
    ensure_seeded_rule_set()
    letter(item)
    customers = [CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US") for _ in range(25)]
    triage_subjects(customers)
    accept_proposals(actor=officer, proposals=Proposal.objects.current())
    return customers


@pytest.fixture
def prepared(book, officer, today) -> DeterminationBatch:
    batch = start_batch(actor=officer, buckets=["restorable"], effective_on=today)
    return prepare_batch(batch.pk)
