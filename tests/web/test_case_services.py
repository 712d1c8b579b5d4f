"""The service functions the UI added: each writes an event, and each refuses the wrong role or state."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from licensing.audit.models import Event
from licensing.cases.models import ApplicationParty
from licensing.cases.services import applications
from licensing.cases.services.assignment import assign_applications
from licensing.cases.services.comments import add_comment
from licensing.determinations import services as determinations
from licensing.determinations.models import DeterminationTask
from licensing.parties import evidence
from licensing.parties import services as parties
from licensing.parties.models import Person, StatusRecord
from licensing.reference.models import Country

from ..factories import CustomerFactory, PersonFactory


def test_register_person_writes_the_person_and_statuses_together(officer):
    person = parties.register_person(
        actor=officer,
        relationship=Person.Relationship.EMPLOYEE,
        given_name="Wei",
        family_name="Zhang",
        location_country_id="US",
        statuses=[
            {"kind": "citizenship", "country": Country.objects.get(pk="CN"), "acquired_on": datetime.date(1992, 8, 20)}
        ],
    )
    assert person.status_records.get().country_id == "CN"
    assert list(Event.objects.for_target(person).values_list("verb", flat=True)) == [
        "person.created",
        "person.status_recorded",
    ]


def test_register_person_leaves_nothing_behind_when_a_status_is_wrong(today, officer):
    with pytest.raises(ValidationError):
        parties.register_person(
            actor=officer,
            relationship=Person.Relationship.EMPLOYEE,
            given_name="Wei",
            family_name="Zhang",
            location_country_id="US",
            statuses=[{"kind": "protected_individual", "country": Country.objects.get(pk="CN"), "acquired_on": today}],
        )
    assert not Person.objects.exists() and not StatusRecord.objects.exists()


def test_legal_staff_cannot_register_persons_or_attach_evidence(legal):
    with pytest.raises(PermissionDenied):
        parties.register_person(actor=legal, given_name="A", family_name="B", location_country_id="US")
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        evidence.attach_evidence(
            actor=legal, person=person, kind="passport", upload=SimpleUploadedFile("p.pdf", b"%PDF-1.4\n")
        )


def test_an_address_change_is_recorded_on_the_customer(officer, auditor):
    customer = CustomerFactory()
    address = parties.save_customer_address(
        actor=officer, customer=customer, line1="1 Main St", city="Austin", country_id="US"
    )
    parties.save_customer_address(actor=officer, customer=customer, address=address, city="Dallas")
    verbs = list(Event.objects.for_target(customer).values_list("verb", flat=True))
    assert verbs[-2:] == ["customer.address_added", "customer.address_changed"]
    with pytest.raises(PermissionDenied):
        parties.save_customer_address(actor=auditor, customer=customer, line1="x", city="y", country_id="US")


def test_only_a_draft_determination_is_edited_and_it_is_assessed_again(today, officer, reviewer):
    person = PersonFactory()
    StatusRecord.objects.create(
        person=person, kind="citizenship", country_id="FR", acquired_on=datetime.date(1990, 1, 1)
    )
    draft = determinations.prepare_determination(actor=officer, subject=person, effective_on=today)
    StatusRecord.objects.create(
        person=person, kind="citizenship", country_id="CA", acquired_on=datetime.date(2010, 1, 1)
    )
    edited = determinations.update_determination(actor=officer, determination=draft, effective_on=today, notes="n")
    assert edited.attribution_country_id == "CA" and edited.review_by == today + datetime.timedelta(days=365)
    submitted = determinations.submit_determination(actor=officer, determination=edited)
    with pytest.raises(ValidationError, match="only a draft can be edited"):
        determinations.update_determination(actor=officer, determination=submitted, effective_on=today)
    with pytest.raises(PermissionDenied):
        determinations.update_determination(actor=None, determination=submitted, effective_on=today)


def test_tasks_are_assigned_by_reviewers_to_people_who_can_do_them(case, reviewer, officer, legal):
    task = DeterminationTask.objects.get(status="open")
    assert determinations.assign_determination_tasks(actor=reviewer, tasks=[task], officer=officer) == 1
    assert determinations.assign_determination_tasks(actor=reviewer, tasks=[task], officer=officer) == 0
    task.refresh_from_db()
    assert task.assigned_to == officer
    with pytest.raises(PermissionDenied):
        determinations.assign_determination_tasks(actor=officer, tasks=[task], officer=officer)
    with pytest.raises(ValidationError, match="cannot prepare determinations"):
        determinations.assign_determination_tasks(actor=reviewer, tasks=[task], officer=legal)
    with pytest.raises(ValidationError, match="Choose at least one task"):
        determinations.assign_determination_tasks(actor=reviewer, tasks=[], officer=officer)


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
