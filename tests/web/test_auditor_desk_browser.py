"""In Chromium, as the auditor: the event log read, filtered, and its chain verified."""

import pytest
from playwright.sync_api import expect

from licensing.audit.models import Event
from licensing.audit.sealing import seal_events

from ..browser import signed_in
from ..factories import CustomerFactory, approved_determination

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_auditor_filters_the_log_and_verifies_the_chain(
    chromium, live_site, artifacts, today, officer, reviewer, auditor
):
    approved_determination(
        CustomerFactory(legal_name="Universität Rheinland"), preparer=officer, reviewer=reviewer, effective_on=today
    )
    seal_events()
    context, page = signed_in(chromium, live_site, "auditor")
    page.get_by_role("link", name="Event log").click()
    expect(page.get_by_role("heading", name="Event log", level=1)).to_be_visible()
    page.get_by_label("Action").select_option("determination.approve")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.events tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Universität Rheinland")
    expect(rows.first).to_contain_text("reviewer")

    page.get_by_role("button", name="Verify the chain").click()
    expect(page.get_by_role("heading", name="The chain verifies")).to_be_visible()
    head = Event.objects.sealed().order_by("-sequence").first()
    expect(page.locator("code.hash")).to_have_text(head.hash)
    page.screenshot(path=str(artifacts / "auditor-desk.png"), full_page=True)
    context.close()
