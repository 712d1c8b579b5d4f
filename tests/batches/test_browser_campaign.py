"""Debian's Chromium, driven by Playwright: a cut-off book brought back, from a CSV to an authorised transaction.

An officer imports customers and seats, sees the buckets, sends attestation
links to the bucket that needs them; the customer answers one without
signing in; the officer accepts the restorable bucket and prepares a batch;
a reviewer opens the recorded sample and approves it; the customer's held
transaction is authorised.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from licensing.cases.models import Decision, Transaction
from licensing.cases.services.transactions import decide_transaction
from licensing.parties.models import Customer
from tests.attestations.mailbox import link_in
from tests.browser import Desk
from tests.factories import letter, transaction
from tests.restoration_rules import ensure_seeded_rule_set

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CUSTOMERS = (
    "external_id,kind,legal_name,country_of_incorporation,headquarters_country\n"
    "CUST-OHIO,entity,Ohio Robotics Inc.,US,US\n"
    "CUST-NEW,entity,Newcomer Analytics,,\n"
)
SEATS = (
    "customer_external_id,external_id,given_name,family_name,location_country,relationship,email\n"
    "CUST-NEW,HOLDER,Dana,Reyes,US,account_holder,dana@newcomer.example\n"
)


def upload(desk: Desk, tmp_path, name: str, kind: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    page = desk.go("/restoration/imports/new")
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("CSV or XLSX file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    desk.page.get_by_role("button", name="Import these").click()
    expect(desk.page.locator("#import-status")).to_have_text("Done", timeout=20_000)


def test_a_cut_off_book_is_restored_through_attestation_and_a_sampled_batch(
    chromium, live_site, artifacts, officer, reviewer, item, tmp_path
):
    letter(item)
    ensure_seeded_rule_set()
    officer_desk = Desk(chromium, live_site, artifacts, "officer")
    upload(officer_desk, tmp_path, "customers.csv", "customers", CUSTOMERS)
    upload(officer_desk, tmp_path, "seats.csv", "seats", SEATS)
    ohio = Customer.objects.get(external_id="CUST-OHIO")
    held = decide_transaction(actor=None, transaction_record=transaction(ohio, item, country="US"))
    assert held.decision == Decision.HOLD

    page = officer_desk.go("/restoration/triage/?bucket=needs_attestation")
    expect(page.get_by_text("Newcomer Analytics")).to_be_visible()
    officer_desk.shot("campaign-buckets")

    page = officer_desk.go("/attestations/")
    page.get_by_role("button", name="Send links to the 2 subjects needing attestation").click()
    expect(page.locator("#run-progress")).to_contain_text("2 links sent", timeout=20_000)
    link = next(link_in(m) for m in mail.outbox if m.to == ["dana@newcomer.example"] and "Newcomer" in m.subject)

    customer = chromium.new_context().new_page()
    customer.goto(f"{live_site}{link}")
    customer.get_by_label("Country of incorporation").select_option("US")
    customer.get_by_label("Headquarters country").select_option("US")
    customer.get_by_label("What will the models be used for?").fill("Forecasting demand for our retail clients")
    customer.get_by_label("Your full name (signature)").fill("Dana Reyes")
    customer.get_by_label("Your title or role").fill("Chief Financial Officer")
    customer.get_by_label("I confirm").check()
    customer.get_by_role("button", name="Sign and submit").click()
    expect(customer.get_by_role("heading", name="Thank you")).to_be_visible()

    page = officer_desk.go("/restoration/triage/?bucket=restorable")
    expect(page.get_by_text("Newcomer Analytics")).to_be_visible()
    officer_desk.click("Accept every proposal shown")
    page = officer_desk.go("/batches/")
    page.get_by_label("Restorable now: proposed U.S. person").check()
    officer_desk.click("Prepare determinations")
    expect(page.locator("#batch-progress")).to_contain_text("Prepared: waiting for a reviewer", timeout=20_000)
    batch_url = page.url

    reviewer_desk = Desk(chromium, live_site, artifacts, "reviewer")
    page = reviewer_desk.go(batch_url.removeprefix(live_site))
    reviewer_desk.click("Review this batch")
    expect(page.get_by_role("button", name="Approve all 2 determinations")).to_be_disabled()
    for name in ("Ohio Robotics Inc.", "Newcomer Analytics"):
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name="Your verdict")).to_be_visible()
        page.go_back()
        page.reload()
    expect(page.get_by_role("heading", name="Sample checklist (0 of 2 still to open)")).to_be_visible()
    reviewer_desk.click("Approve all 2 determinations")
    expect(page.locator("#batch-progress")).to_contain_text("2 of 2 determinations approved", timeout=20_000)
    reviewer_desk.shot("campaign-batch-approved")

    page = officer_desk.go(f"/transactions/{held.pk}/")
    expect(page.get_by_text("Authorised").first).to_be_visible()
    assert Transaction.objects.get(pk=held.pk).decision == Decision.AUTHORISED
    assert not officer_desk.console_errors + reviewer_desk.console_errors
