"""Determination services the pages call: editing a draft, assigning tasks; each refuses the wrong role or state."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.determinations import services as determinations
from licensing.determinations.models import DeterminationTask
from licensing.parties.models import StatusRecord

from ..factories import PersonFactory


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
