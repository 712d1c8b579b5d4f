"""The real-worker fixture delivers a task through Redis to another process."""

import datetime

import pytest
from django.utils import timezone

from licensing.cases.models import Decision
from licensing.cases.tasks import redecide_held_transactions
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.status import Basis, Outcome

from ..celery_worker import result_of
from ..factories import CustomerFactory, letter, transaction


@pytest.mark.slow
def test_a_worker_on_redis_redecides_a_held_transaction(celery_worker, officer, reviewer, item):
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="US")
    record = transaction(customer, item, country="US")
    assert record.decision == Decision.HOLD
    # Recorded directly (not through the service) so that the only thing
    # that can change the decision is the task the worker runs.
    ForeignPersonDetermination.objects.create(
        customer=customer,
        status=ForeignPersonDetermination.Status.APPROVED,
        outcome=Outcome.US_PERSON,
        basis=Basis.US_ORGANISATION,
        effective_on=timezone.localdate() - datetime.timedelta(days=1),
        review_by=timezone.localdate() + datetime.timedelta(days=300),
        prepared_by=officer,
        approved_by=reviewer,
    )
    result = redecide_held_transactions.delay(customer_id=customer.pk)
    assert result_of(result, timeout=30) == 1
    record.refresh_from_db()
    assert record.decision == Decision.AUTHORISED
