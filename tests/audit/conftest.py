import pytest

from licensing.audit.models import Event
from licensing.audit.sealing import seal_events
from licensing.audit.services import record_event

from ..factories import CustomerFactory


@pytest.fixture
def three_events(db, officer):
    """Three events of one customer, sealed into the chain as the sealer does after their transaction commits."""
    customer = CustomerFactory()
    events = [
        record_event(actor=officer, verb="customer.updated", target=customer, after={"n": n}, reason=f"step {n}")
        for n in range(3)
    ]
    seal_events()
    return [Event.objects.get(pk=event.pk) for event in events]


@pytest.fixture
def sealed_event(db, officer):
    """Record one more event and seal it, returning it as stored."""

    def record(**after):
        event = record_event(actor=officer, verb="customer.updated", target=CustomerFactory(), after=after)
        seal_events()
        return Event.objects.get(pk=event.pk)

    return record
