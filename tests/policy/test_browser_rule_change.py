"""Debian's Chromium, driven by Playwright: a relaxation for A:1 destinations from draft to the day it takes effect.

An administrator drafts it and runs the simulator, a second administrator
approves it from a later day, and billing's access check for a German
customer changes on that day, and not before, in the same running server.
"""

import datetime

import pytest
from playwright.sync_api import expect

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.policy.models import RuleChange
from tests.browser import Desk
from tests.factories import CustomerFactory, approved_determination, letter

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_relaxation_for_a1_destinations_changes_the_access_check_on_its_day(
    chromium, live_site, artifacts, admin_user, admin2, officer, reviewer, item, today, monkeypatch
):
    requirement = letter(item, effective_from=today - datetime.timedelta(days=365))
    german = CustomerFactory(legal_name="Rheinland Labs GmbH", country_of_incorporation_id="DE")
    approved_determination(german, preparer=officer, reviewer=reviewer, effective_on=today)
    chinese = CustomerFactory(legal_name="Pearl River AI", country_of_incorporation_id="CN")
    approved_determination(chinese, preparer=officer, reviewer=reviewer, effective_on=today)
    token = issue_api_token(actor=None, name="billing", role=ClientRole.BILLING)[1]
    effective_on = today + datetime.timedelta(days=10)

    drafter = Desk(chromium, live_site, artifacts, "admin")
    page = drafter.go("/rule-changes/new/")
    page.get_by_label("Kind").select_option(RuleChange.Kind.RELAX_COUNTRY_GROUP)
    page.get_by_label("Requirement").select_option(str(requirement.pk))
    page.get_by_label("Country group").select_option("A:1")
    page.get_by_label("Reason").fill("BIS relaxed the letter for Country Group A:1 destinations.")
    drafter.click("Save the draft")
    expect(page.locator("#change-status")).to_have_text("Draft")
    drafter.click("Run the simulator")
    expect(page.locator("#change-status")).to_have_text("Simulated")
    expect(page.locator("#simulation-totals")).to_contain_text("Released")
    expect(page.locator("#simulation-by-country")).to_contain_text("DE")
    expect(page.locator("#simulation-chart")).to_be_visible()
    drafter.shot("rule-change-simulated")
    # The drafter is offered no approval: a second administrator gives it.
    expect(page.get_by_role("button", name="Approve from this day")).to_have_count(0)
    change = RuleChange.objects.get()

    approver = Desk(chromium, live_site, artifacts, "admin2")
    page = approver.go(f"/rule-changes/{change.pk}/")
    page.get_by_label("Takes effect on").fill(effective_on.isoformat())
    approver.click("Approve from this day")
    expect(page.locator("#change-status")).to_have_text("Approved")
    expect(page.locator("#effective-on")).to_have_text(effective_on.isoformat())

    def access(customer) -> dict:
        response = approver.page.request.get(
            f"{live_site}/api/v1/access-check?customer={customer.external_id}&item={item.code}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200, response.text()
        return response.json()

    assert access(german)["decision"] == "licence_required"
    # The server's clock moves to the change's day; nothing is restarted or written.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: effective_on)
    answer = access(german)
    assert answer["allowed"] is True
    assert f"relaxed for Country Group A:1 from {effective_on} by change #{change.pk}" in answer["reasons"][0]
    assert access(chinese)["decision"] == "licence_required"
    assert drafter.console_errors == [] and approver.console_errors == []
    drafter.close()
    approver.close()
