"""The rule-change pages: administrators draft and approve; everyone reads the simulation's table, chart and CSV."""

import csv
import datetime
import io

import pytest

from licensing.parties.models import Customer
from licensing.policy.models import RuleChange

from .test_rule_changes import relax_a1, simulated


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_an_administrator_drafts_a_relaxation_on_the_form(signed_in, admin_user, letter_for_foreign_persons):
    client = signed_in(admin_user)

    response = client.post(
        "/rule-changes/new/",
        {
            "kind": RuleChange.Kind.RELAX_COUNTRY_GROUP,
            "requirement": letter_for_foreign_persons.pk,
            "country_group": "A:1",
            "reason": "Relaxed for allies.",
        },
    )

    change = RuleChange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/rule-changes/{change.pk}/"
    assert change.status == RuleChange.Status.DRAFT


def test_a_draft_missing_its_group_is_refused_naming_the_field(signed_in, admin_user, letter_for_foreign_persons):
    response = signed_in(admin_user).post(
        "/rule-changes/new/",
        {"kind": RuleChange.Kind.RELAX_COUNTRY_GROUP, "requirement": letter_for_foreign_persons.pk, "reason": "x"},
    )

    assert response.status_code == 400
    assert "Country group: Choose the country group the requirement no longer reaches." in response.text
    assert not RuleChange.objects.exists()


def test_unknown_trusted_partners_are_named_in_the_error(signed_in, admin_user, letter_for_foreign_persons):
    response = signed_in(admin_user).post(
        "/rule-changes/new/",
        {
            "kind": RuleChange.Kind.RELAX_CUSTOMERS,
            "requirement": letter_for_foreign_persons.pk,
            "customers": "NOPE-1, NOPE-2",
            "reason": "Trusted partners.",
        },
    )

    assert response.status_code == 400
    assert "No customer has the external id NOPE-1, NOPE-2." in response.text


def test_an_officer_may_read_changes_but_not_draft_one(signed_in, officer):
    client = signed_in(officer)

    assert client.get("/rule-changes/").status_code == 200
    assert client.get("/rule-changes/new/").status_code == 403


def test_the_simulation_shows_a_table_a_chart_by_country_and_a_formula_safe_csv(
    signed_in, admin_user, letter_for_foreign_persons, cases, django_capture_on_commit_callbacks
):
    cases.foreign_customer("DE", external_id="=HYPERLINK(1)")
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)
    client = signed_in(admin_user)

    page = client.get(f"/rule-changes/{change.pk}/")

    assert page.status_code == 200
    assert '<svg role="img"' in page.text and "DE: 1 released" in page.text
    simulation = change.simulations.get()
    rows = list(csv.reader(io.StringIO(client.get(f"/rule-changes/simulations/{simulation.pk}/csv").text)))
    assert rows[0][:4] == ["country", "Decided", "Changed", "Released"]
    assert rows[1][:4] == ["DE", "1", "1", "1"]
    assert ["'=HYPERLINK(1)", "frontier-1", "DE", "licence_required", "authorised"] == rows[4][1:6]


def test_the_drafter_is_refused_approval_and_a_second_administrator_approves_with_a_date(
    signed_in, admin_user, admin2, letter_for_foreign_persons, today, django_capture_on_commit_callbacks
):
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)
    effective_on = (today + datetime.timedelta(days=7)).isoformat()

    refused = signed_in(admin_user).post(f"/rule-changes/{change.pk}/approve/", {"effective_on": effective_on})
    assert refused.status_code == 403
    assert "four eyes" in refused.text

    approved = signed_in(admin2).post(f"/rule-changes/{change.pk}/approve/", {"effective_on": effective_on})
    assert approved.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.effective_on.isoformat(), change.approved_by) == (
        RuleChange.Status.APPROVED,
        effective_on,
        admin2,
    )


def test_an_approval_dated_in_the_past_is_refused_naming_the_date(
    signed_in, admin_user, admin2, letter_for_foreign_persons, today, django_capture_on_commit_callbacks
):
    change = simulated(admin_user, relax_a1(admin_user, letter_for_foreign_persons), django_capture_on_commit_callbacks)

    response = signed_in(admin2).post(
        f"/rule-changes/{change.pk}/approve/", {"effective_on": (today - datetime.timedelta(days=1)).isoformat()}
    )

    assert response.status_code == 400
    assert "Takes effect on: A change takes effect today" in response.text
    change.refresh_from_db()
    assert change.status == RuleChange.Status.SIMULATED


def test_trusted_partners_are_drafted_by_external_id(signed_in, admin_user, letter_for_foreign_persons, cases):
    partner = cases.foreign_customer("CN", external_id="PARTNER-1")

    signed_in(admin_user).post(
        "/rule-changes/new/",
        {
            "kind": RuleChange.Kind.RELAX_CUSTOMERS,
            "requirement": letter_for_foreign_persons.pk,
            "customers": "PARTNER-1",
            "reason": "A trusted partner.",
        },
    )

    assert list(RuleChange.objects.get().customers.all()) == [Customer.objects.get(pk=partner.pk)]
