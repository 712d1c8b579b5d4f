import pytest
from django.core.cache import cache

from licensing.attestations.services.sending import send_attestation
from licensing.parties.models import Person
from tests.factories import CustomerFactory, PersonFactory
from tests.restoration_rules import ensure_seeded_rule_set

from .mailbox import last_link


@pytest.fixture(autouse=True)
def _fresh_view_counts():
    # Link views are counted in the cache per address and per link; each test starts from none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def triage_rules(db):
    return ensure_seeded_rule_set()


@pytest.fixture
def us_employer(triage_rules):
    return CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")


@pytest.fixture
def seat(us_employer):
    """A customer's user whose citizenship nobody has recorded yet."""
    return PersonFactory(customer=us_employer, email="ana@example.com")


@pytest.fixture
def unknown_entity(triage_rules):
    """A customer entity with no country recorded and an account holder to write to."""
    customer = CustomerFactory(country_of_incorporation_id=None, headquarters_country_id=None)
    PersonFactory(customer=customer, relationship=Person.Relationship.ACCOUNT_HOLDER, email="cfo@example.org")
    return customer


@pytest.fixture
def sent(officer, seat):
    """(attestation, link path) for the seat."""
    attestation = send_attestation(actor=officer, subject=seat)
    return attestation, last_link()
