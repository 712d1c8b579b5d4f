"""Work queues: the unassigned pool, taking work, bulk assignment, ageing, and one FilterSet for the UI and the API."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication
from licensing.cases.queues import unassigned_pool
from licensing.cases.services.assignment import assign_applications, take_applications
from licensing.deadlines.models import Deadline, Kind
from tests.factories import CustomerFactory, approved_determination, letter, transaction


def _due(application, days, today):
    # A clock as the deadlines app records it; which one does not matter to a queue.
    return Deadline.objects.create(
        kind=Kind.BIS_ACTION,
        subject_type=ContentType.objects.get_for_model(application),
        subject_id=application.pk,
        subject_repr=str(application),
        application=application,
        starts_on=today,
        due_on=today + datetime.timedelta(days=days),
    )


@pytest.fixture
def drafts(officer, reviewer, item, today):
    letter(item)
    made = []
    for name in ("Alpha GmbH", "Beta SA", "Gamma KK"):
        customer = CustomerFactory(legal_name=name)
        approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
        made.append(LicenceApplication.objects.get(transaction=transaction(customer, item)))
    return made


def test_the_pool_puts_the_soonest_deadline_first(drafts, today):
    alpha, beta, gamma = drafts
    _due(beta, 3, today)
    _due(gamma, -2, today)
    assert [a.pk for a in unassigned_pool()] == [gamma.pk, beta.pk, alpha.pk]
    assert unassigned_pool().get(pk=gamma.pk).next_due_on == today - datetime.timedelta(days=2)


def test_an_officer_takes_an_application_from_the_pool(drafts, officer):
    taken = take_applications(actor=officer, applications=[drafts[0]])
    drafts[0].refresh_from_db()
    assert (taken, drafts[0].assigned_officer) == (1, officer)
    event = Event.objects.for_target(drafts[0]).get(verb="application.assigned")
    assert event.after == {"assigned_officer": "officer"}
    assert drafts[0].pk not in [a.pk for a in unassigned_pool()]


def test_an_officer_cannot_take_one_another_officer_works(drafts, officer, officer2, reviewer):
    assign_applications(actor=reviewer, applications=[drafts[0]], officer=officer2)
    with pytest.raises(ValidationError, match="Already assigned to another officer"):
        take_applications(actor=officer, applications=[drafts[0]])
    drafts[0].refresh_from_db()
    assert drafts[0].assigned_officer == officer2


def test_an_auditor_cannot_take_work(drafts, auditor):
    with pytest.raises(PermissionDenied):
        take_applications(actor=auditor, applications=[drafts[0]])


def test_the_dashboard_shows_the_pool_and_assign_to_me_takes_it(drafts, officer, client, today):
    _due(drafts[1], 5, today)
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    assert "Unassigned pool" in page and "Assign to me" in page
    assert "Due in 5 days" in page
    response = client.post(reverse("application_take", args=[drafts[1].pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    drafts[1].refresh_from_db()
    assert drafts[1].assigned_officer == officer
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is assigned to you" not in page


def test_a_reviewer_assigns_the_pool_in_bulk(drafts, officer2, reviewer, client):
    client.force_login(reviewer)
    ids = [str(a.pk) for a in drafts[:2]]
    client.post(reverse("application_assign_many"), {"officer": officer2.pk, "selected": ids})
    assert set(LicenceApplication.objects.filter(assigned_officer=officer2).values_list("pk", flat=True)) == {
        drafts[0].pk,
        drafts[1].pk,
    }


def test_an_officer_cannot_assign_in_bulk(drafts, officer, officer2, client):
    client.force_login(officer)
    response = client.post(reverse("application_assign_many"), {"officer": officer2.pk, "selected": [drafts[0].pk]})
    assert response.status_code == 403
    assert not LicenceApplication.objects.filter(assigned_officer=officer2).exists()


@pytest.fixture
def api(db):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='r', role=ClientRole.READ_ONLY)[1]}"
    )
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"assigned": "nobody"}, {"Beta SA", "Gamma KK"}),
        ({"assigned": "others"}, {"Alpha GmbH"}),
        ({"due": "overdue"}, {"Gamma KK"}),
        ({"due": "7"}, {"Beta SA", "Gamma KK"}),
        ({"due": "none"}, {"Alpha GmbH"}),
        ({"due": "7", "assigned": "nobody", "status": "draft"}, {"Beta SA", "Gamma KK"}),
    ],
)
def test_the_list_and_the_api_filter_alike(drafts, officer, officer2, reviewer, client, api, today, query, expected):
    assign_applications(actor=reviewer, applications=[drafts[0]], officer=officer2)
    _due(drafts[1], 3, today)
    _due(drafts[2], -1, today)
    client.force_login(officer)
    listed = client.get(reverse("application_list"), {**query, "format": "csv"})
    names = {row.split(",")[3] for row in b"".join(listed.streaming_content).decode().splitlines()[1:]}
    external = {a.customer.external_id: a.customer.legal_name for a in drafts}
    assert {external[n] for n in names} == expected
    body = api.get("/api/v1/applications", query).json()
    assert {external[row["customer"]] for row in body["results"]} == expected


def test_the_api_refuses_an_unknown_filter_value_naming_it(api, db):
    response = api.get("/api/v1/applications", {"due": "soon"})
    assert response.status_code == 400
    assert "due" in response.content.decode()


def test_me_means_nobody_to_an_api_token(drafts, officer, reviewer, api):
    assign_applications(actor=reviewer, applications=[drafts[0]], officer=officer)
    assert api.get("/api/v1/applications", {"assigned": "me"}).json()["results"] == []
