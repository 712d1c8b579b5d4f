"""The ownership rule's page (administrators only) and the ownership chain on the customer's page."""

import datetime
from decimal import Decimal

from django.urls import reverse

from licensing.cases.models import OwnershipRulePeriod
from licensing.cases.services.ownership_rule import resume_ownership_rule
from licensing.parties.services import record_ownership

from ..factories import CustomerFactory
from .test_ownership_rule_service import entity_list, listed  # noqa: F401 (a fixture)


def test_an_administrator_suspends_the_rule_from_its_page(admin_user, client, today):
    client.force_login(admin_user)
    resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")

    response = client.post(
        reverse("ownership_rule"),
        {
            "status": "suspended",
            "effective_from": (today + datetime.timedelta(days=1)).isoformat(),
            "reason": "One year",
        },
    )
    page = client.get(reverse("ownership_rule")).content.decode()

    assert response.status_code == 302
    assert OwnershipRulePeriod.objects.governing_on(today + datetime.timedelta(days=1)).first().status == "suspended"
    assert "One year" in page and "Affiliates rule in force" in page


def test_the_page_refuses_a_past_day_naming_the_field_and_officers_may_not_open_it(admin_user, officer, client, today):
    client.force_login(admin_user)
    past = client.post(
        reverse("ownership_rule"),
        {"status": "suspended", "effective_from": (today - datetime.timedelta(days=1)).isoformat(), "reason": "Late"},
    )
    client.force_login(officer)
    refused = client.get(reverse("ownership_rule"))

    assert past.status_code == 400
    assert "Choose today or a later day" in past.content.decode()
    assert refused.status_code == 403
    assert not OwnershipRulePeriod.objects.exists()


def test_the_customer_page_shows_the_ownership_chain_and_the_listed_share(
    reference_data,
    admin_user,
    officer,
    client,
    today,
    entity_list,  # noqa: F811
):
    customer = CustomerFactory(legal_name="Rheinland Subsidiary GmbH")
    parent = CustomerFactory(legal_name="Shell Holdings Ltd")
    grandparent = CustomerFactory(legal_name="Hebei Front Co.")
    record_ownership(
        actor=officer, owned=customer, owner=parent, percentage=Decimal("55"), verified_on=today, source="R"
    )
    record_ownership(
        actor=officer, owned=parent, owner=grandparent, percentage=Decimal("60"), verified_on=today, source="R"
    )
    listed(grandparent, entity_list)
    resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")
    client.force_login(officer)

    page = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()

    assert "Ownership chain" in page
    assert "Hebei Front Co.</a> owns 60.00% of Shell Holdings Ltd" in page
    assert "Listed owners hold 55.00% in aggregate: Shell Holdings Ltd (55%, itself owned 60% by listed parties" in page
    assert "so the listing reaches this customer" in page


def test_the_main_navigation_links_the_rule_s_page_for_administrators_only(admin_user, officer, client):
    client.force_login(admin_user)
    for_admin = client.get(reverse("home")).content.decode()
    client.force_login(officer)
    for_officer = client.get(reverse("home")).content.decode()

    assert 'href="/ownership-rule/"' in for_admin
    assert 'href="/ownership-rule/"' not in for_officer
