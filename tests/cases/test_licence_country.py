"""The licence an application leads to reads the country the application filed."""

import pytest

from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications, licences
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, approved_determination, letter, transaction


@pytest.fixture
def registered(today, officer, reviewer, item):
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    application = LicenceApplication.objects.get(transaction=transaction(customer, item, country="DE"))
    application = applications.update_application(
        actor=officer, application=application, signer_name="Olivia Officer", signer_title="Compliance officer"
    )
    application = applications.submit_application_for_review(
        actor=officer, application=complete_application(application)
    )
    application = applications.approve_for_filing(actor=reviewer, application=application)
    application = applications.record_submission(actor=officer, application=application, control_number="Z123456")
    return applications.record_registration(actor=officer, application=application)


def test_the_licence_takes_the_country_the_application_filed(registered, officer, today):
    # The application as filed names Austria (say, the consignee's site moved before filing): the licence follows it,
    # not the transaction it started from.
    LicenceApplication.objects.filter(pk=registered.pk).update(country_id="AT")

    licence = licences.record_approval(
        actor=officer, application=registered, licence_number="D123456", valid_from=today
    )

    assert licence.country_id == "AT"


def test_a_licence_from_an_application_older_than_its_country_takes_the_transactions(registered, officer, today):
    LicenceApplication.objects.filter(pk=registered.pk).update(country=None)

    licence = licences.record_approval(
        actor=officer, application=registered, licence_number="D123457", valid_from=today
    )

    assert licence.country_id == "DE"
