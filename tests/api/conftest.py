import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications, licences
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, approved_determination, letter, transaction


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    # Throttle counters live in the cache; each test starts with a full budget.
    cache.clear()
    yield
    cache.clear()


def client_with_token(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def billing_token(db):
    return issue_api_token(actor=None, name="billing-test", role=ClientRole.BILLING)[1]


@pytest.fixture
def billing(billing_token):
    """Billing's API client, authenticated with a billing token."""
    return client_with_token(billing_token)


@pytest.fixture
def read_only(db):
    return client_with_token(issue_api_token(actor=None, name="reporting", role=ClientRole.READ_ONLY)[1])


@pytest.fixture
def integration_admin(db):
    return client_with_token(issue_api_token(actor=None, name="integrations", role=ClientRole.INTEGRATION_ADMIN)[1])


@pytest.fixture
def anonymous():
    return APIClient()


class Cases:
    """Builds customers, determinations and licences the way the product does, through its services."""

    def __init__(self, officer, reviewer, item, today=None):
        self.officer, self.reviewer, self.item = officer, reviewer, item
        # The day the test runs, not the day this module was imported.
        self.last_month = (today or timezone.localdate()) - datetime.timedelta(days=30)

    def determined(self, subject, effective_on=None):
        effective_on = self.last_month if effective_on is None else effective_on
        approved_determination(subject, preparer=self.officer, reviewer=self.reviewer, effective_on=effective_on)
        return subject

    def foreign_customer(self, country="DE", **kwargs):
        return self.determined(CustomerFactory(country_of_incorporation_id=country, **kwargs))

    def licensed(self, record, *, quantity=None, value=None, valid_from=None, valid_until=None, number=None):
        valid_from = self.last_month if valid_from is None else valid_from
        application = LicenceApplication.objects.get(transaction=record)
        application = applications.update_application(
            actor=self.officer, application=application, signer_name="O. Officer", signer_title="Officer"
        )
        application = applications.submit_application_for_review(
            actor=self.officer, application=complete_application(application)
        )
        application = applications.approve_for_filing(actor=self.reviewer, application=application)
        application = applications.record_submission(
            actor=self.officer, application=application, control_number="Z123456"
        )
        application = applications.record_registration(actor=self.officer, application=application)
        return licences.record_approval(
            actor=self.officer,
            application=application,
            licence_number=number or f"D{record.pk:06d}",
            valid_from=valid_from,
            valid_until=valid_until,
            authorised_quantity=quantity,
            authorised_value=value,
        )

    def licence_for(self, customer, *, quantity=None, value=None, external_id=None, **kwargs):
        """A licence covering `customer`'s exports of the item, from a first licence-required transaction."""
        record = transaction(customer, self.item, external_id=external_id, value=Decimal("0"))
        return self.licensed(record, quantity=quantity, value=value, **kwargs)


@pytest.fixture
def cases(officer, reviewer, item, today):
    return Cases(officer, reviewer, item, today)


@pytest.fixture
def letter_for_foreign_persons(today, item):
    """An is-informed letter: every release of the item to a foreign person needs a licence."""
    return letter(item, effective_from=today - datetime.timedelta(days=365))


@pytest.fixture
def letter_covering_many(today, item):
    """A letter whose licences may cover more than one transaction."""
    return letter(item, effective_from=today - datetime.timedelta(days=365), per_transaction=False)
