"""A screening in progress locks its subject without holding up writes that refer to it.

Its lock is FOR NO KEY UPDATE (see tests/test_row_locks.py): billing recording a
transaction for the customer meanwhile does not wait for the screening to end.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from licensing.screening.services.screening import screen_subject

from ..factories import CustomerFactory, letter
from ..factories import transaction as billing_transaction

HELD_FOR = 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_billing_records_a_transaction_for_a_customer_while_a_screening_of_it_is_open(listed, item):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland")
    screening_holds, release = threading.Event(), threading.Event()
    failures = []

    def screen_and_hold():
        try:
            with transaction.atomic():
                assert screen_subject(customer) is not None
                screening_holds.set()
                release.wait(timeout=HELD_FOR)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            screening_holds.set()
            connection.close()

    worker = threading.Thread(target=screen_and_hold)
    worker.start()
    try:
        assert screening_holds.wait(timeout=HELD_FOR)
        started = time.monotonic()
        # Inserting the transaction checks its reference to the customer at commit.
        recorded = billing_transaction(customer, item, external_id="TX-WHILE-SCREENING")
        waited = time.monotonic() - started
    finally:
        release.set()
        worker.join(timeout=HELD_FOR + 10)
    assert failures == []
    assert recorded.pk is not None
    # Under FOR UPDATE it waited for the screening's whole transaction (HELD_FOR seconds).
    assert waited < HELD_FOR / 2
