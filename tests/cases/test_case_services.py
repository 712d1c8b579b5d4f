"""Case services the pages call: assigning applications, naming parties, comments; each refuses wrong role or state."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.cases.models import ApplicationParty
from licensing.cases.services import applications
from licensing.cases.services.assignment import assign_applications
from licensing.cases.services.comments import add_comment


def test_applications_are_assigned_and_unassigned(case, reviewer, officer2):
    application = case["application"]
    assert assign_applications(actor=reviewer, applications=[application], officer=officer2) == 1
    assert assign_applications(actor=reviewer, applications=[application], officer=None) == 1
    application.refresh_from_db()
    assert application.assigned_officer is None
    assert Event.objects.filter(verb="application.assigned").count() == 2


def test_a_party_in_a_single_block_cannot_be_named_twice(case, officer, reviewer):
    draft = applications.return_application(actor=reviewer, application=case["application"], reason="Add a party")
    with pytest.raises(ValidationError) as error:
        applications.save_application_party(
            actor=officer, application=draft, role=ApplicationParty.Role.APPLICANT, name="Other", country_id="US"
        )
    assert "role" in error.value.message_dict
    second = applications.save_application_party(
        actor=officer, application=draft, role=ApplicationParty.Role.END_USER, name="Lab B", country_id="DE"
    )
    assert second.position == 2
    applications.remove_application_party(actor=officer, application=draft, party=second)
    assert not ApplicationParty.objects.filter(pk=second.pk).exists()
    with pytest.raises(PermissionDenied):
        applications.save_application_item(actor=None, application=draft, eccn="4E091")


def test_comments_need_text_and_a_role_that_may_comment(case, legal, auditor):
    record = case["transaction"]
    event = add_comment(actor=legal, target=record, text="  Looks right.  ")
    assert event.verb == "comment" and event.after == {"text": "Looks right."}
    with pytest.raises(ValidationError, match="Write the comment first"):
        add_comment(actor=legal, target=record, text=" ")
    with pytest.raises(ValidationError, match="4000 characters"):
        add_comment(actor=legal, target=record, text="x" * 4001)
    with pytest.raises(PermissionDenied):
        add_comment(actor=auditor, target=record, text="Noted.")
