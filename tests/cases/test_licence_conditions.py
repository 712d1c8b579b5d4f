"""Acknowledging a licence condition: by the people who work the case, once."""

import pytest
from django.core.exceptions import PermissionDenied

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications, licences
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, approved_determination, letter, transaction


@pytest.fixture
def condition(today, officer, reviewer, item):
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    application = LicenceApplication.objects.get(transaction=transaction(customer, item))
    application = applications.update_application(
        actor=officer, application=application, signer_name="Olivia Officer", signer_title="Compliance officer"
    )
    application = applications.submit_application_for_review(
        actor=officer, application=complete_application(application)
    )
    application = applications.approve_for_filing(actor=reviewer, application=application)
    application = applications.record_submission(actor=officer, application=application, control_number="Z123456")
    application = applications.record_registration(actor=officer, application=application)
    licence = licences.record_approval(
        actor=officer,
        application=application,
        licence_number="D123456",
        valid_from=today,
        conditions=["No release to employees of D:5 nationality"],
    )
    return licence.conditions.get()


def test_an_officer_acknowledges_a_condition(condition, officer):
    acknowledged = licences.acknowledge_condition(actor=officer, condition=condition)

    assert acknowledged.acknowledged_by == officer
    assert acknowledged.acknowledged_at is not None
    event = Event.objects.for_target(condition.licence).get(verb="licence.condition_acknowledged")
    assert (event.actor, event.after) == (officer, {"condition": 1})


@pytest.mark.parametrize("persona", ["legal", "auditor", "outsider"])
def test_a_role_that_does_not_work_cases_cannot_acknowledge_a_condition(condition, persona, request):
    with pytest.raises(PermissionDenied):
        licences.acknowledge_condition(actor=request.getfixturevalue(persona), condition=condition)

    condition.refresh_from_db()
    assert condition.acknowledged_at is None
    assert not Event.objects.filter(verb="licence.condition_acknowledged").exists()


def test_no_one_acknowledges_a_condition_on_the_systems_behalf(condition):
    with pytest.raises(PermissionDenied):
        licences.acknowledge_condition(actor=None, condition=condition)

    condition.refresh_from_db()
    assert condition.acknowledged_at is None
