"""A triaged subject whose facts change through the parties' services is proposed again."""

import datetime

import pytest

from licensing.parties.models import StatusRecord
from licensing.parties.services import record_ownership, record_status
from licensing.reference.models import Country
from licensing.restoration.models import Bucket, Proposal
from licensing.restoration.services.triage import triage_subject
from tests.factories import CustomerFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_a_recorded_citizenship_moves_a_seat_out_of_needs_attestation(officer):
    seat = PersonFactory()
    assert triage_subject(seat).bucket == Bucket.NEEDS_ATTESTATION
    record_status(
        actor=officer,
        person=seat,
        kind=StatusRecord.Kind.CITIZENSHIP,
        country=Country.objects.get(code="US"),
        acquired_on=datetime.date(1990, 1, 1),
    )
    assert Proposal.objects.current().for_subject(seat).get().bucket == Bucket.RESTORABLE


def test_a_foreign_owner_recorded_on_the_page_sends_a_customer_to_attestation(officer, today):
    customer = CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")
    assert triage_subject(customer).bucket == Bucket.RESTORABLE
    record_ownership(
        actor=officer, owned=customer, percentage=40, verified_on=today, source="filing", owner_name="Fund"
    )
    assert Proposal.objects.current().for_subject(customer).get().bucket == Bucket.NEEDS_ATTESTATION


def test_a_subject_never_triaged_is_left_alone(officer):
    seat = PersonFactory()
    record_status(
        actor=officer,
        person=seat,
        kind=StatusRecord.Kind.CITIZENSHIP,
        country=Country.objects.get(code="US"),
        acquired_on=datetime.date(1990, 1, 1),
    )
    assert not Proposal.objects.exists()
