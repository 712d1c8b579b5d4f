"""One of each record the pages show, made through the services: the `case` fixture, for any test that needs it."""

import datetime

import pytest

from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications, licences
from licensing.determinations import services as determinations
from licensing.parties.models import StatusRecord
from tests.ready_to_file import complete_application

from .factories import CustomerFactory, PersonFactory, add_status, approved_determination, letter, transaction


@pytest.fixture
def case(today, officer, officer2, reviewer, item):
    """One of each record the pages show, made through the services, in the states the tests need."""
    letter(item)
    lab = CustomerFactory(legal_name="Great Lakes University AI Lab", country_of_incorporation_id="US")
    approved_determination(lab, preparer=officer, reviewer=reviewer, effective_on=today)
    # A foreign national whose determination officer2 prepared and a reviewer must approve.
    researcher = PersonFactory(customer=lab, employer=lab, given_name="Priya", family_name="Raman")
    add_status(researcher, StatusRecord.Kind.CITIZENSHIP, "IN", "1994-05-02")
    draft = determinations.prepare_determination(actor=officer2, subject=researcher, effective_on=today)
    in_review = determinations.submit_determination(actor=officer2, determination=draft)
    # A German university: its transaction needs a licence; its application is in review.
    university = CustomerFactory(legal_name="Universität Rheinland", country_of_incorporation_id="DE")
    approved_determination(university, preparer=officer, reviewer=reviewer, effective_on=today)
    record = transaction(university, item, external_id="TX-DE-1")
    application = LicenceApplication.objects.get(transaction=record)
    application = applications.update_application(
        actor=officer, application=application, signer_name="Olivia Officer", signer_title="Compliance officer"
    )
    application = applications.submit_application_for_review(
        actor=officer, application=complete_application(application, upload=False)
    )
    # A Japanese customer with an issued licence.
    kitsune = CustomerFactory(legal_name="Kitsune AI K.K.", country_of_incorporation_id="JP")
    approved_determination(kitsune, preparer=officer, reviewer=reviewer, effective_on=today)
    licensed = transaction(kitsune, item, external_id="TX-JP-1")
    filed = LicenceApplication.objects.get(transaction=licensed)
    filed = applications.update_application(actor=officer, application=filed, signer_name="O", signer_title="O")
    filed = applications.submit_application_for_review(
        actor=officer, application=complete_application(filed, upload=False)
    )
    filed = applications.approve_for_filing(actor=reviewer, application=filed)
    filed = applications.record_submission(actor=officer, application=filed, control_number="Z000101")
    filed = applications.record_registration(actor=officer, application=filed)
    licence = licences.record_approval(
        actor=officer, application=filed, licence_number="D1234567", valid_from=today - datetime.timedelta(days=10)
    )
    held = transaction(CustomerFactory(legal_name="Aurora Robotics Ltd", country_of_incorporation_id="GB"), item)
    return {
        "lab": lab,
        "researcher": researcher,
        "determination": in_review,
        "university": university,
        "transaction": record,
        "application": application,
        "licence": licence,
        "held": held,
    }
