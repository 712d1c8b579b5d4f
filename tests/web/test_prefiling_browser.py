"""In Chromium, as the officer: the pre-filing checklist follows what is typed and submission waits for it."""

import re

import pytest
from playwright.sync_api import expect

from licensing.cases.models import LicenceApplication

from ..browser import signed_in
from ..factories import CustomerFactory, approved_determination, letter, transaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(today, officer, reviewer, item):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland", country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    return LicenceApplication.objects.get(transaction=transaction(customer, item))


def test_the_checklist_updates_as_the_officer_types_and_blocks_submission(chromium, live_site, artifacts, draft):
    context, page = signed_in(chromium, live_site, "officer")
    page.goto(f"{live_site}/applications/{draft.pk}/edit/")
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("25 Signature")
    expect(checklist).to_contain_text("16 Purchaser")

    page.get_by_label("21 Specific end use").fill("General research, TBD")
    expect(checklist).to_contain_text("“general”, “tbd”")
    page.get_by_label("25 Signature: name").fill("Olivia Officer")
    page.get_by_label("25 Signature: title").fill("Export compliance officer")
    expect(checklist).not_to_contain_text("25 Signature")
    page.screenshot(path=str(artifacts / "prefiling-checklist.png"), full_page=True)

    # Saved with problems left: the application page lists them and refuses to send it for review.
    page.get_by_role("button", name="Save application").click()
    expect(page.locator("#checklist")).to_contain_text("21 Specific end use")
    page.get_by_role("button", name="Submit for review", exact=True).click()
    # The refusal names each field with its block, above the buttons.
    expect(page.get_by_text(re.compile(r"parties: 16 Purchaser: Block 16 Purchaser: no full address"))).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == LicenceApplication.Status.DRAFT
    assert draft.signer_name == "Olivia Officer"
    context.close()
