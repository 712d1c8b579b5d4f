import pytest

from licensing.audit.services import record_event

from ..factories import CustomerFactory


@pytest.fixture
def three_events(db, officer):
    customer = CustomerFactory()
    return [
        record_event(actor=officer, verb="customer.updated", target=customer, after={"n": n}, reason=f"step {n}")
        for n in range(3)
    ]
