"""Debian's Chromium, driven by Playwright, through a foreign national's case from first record to licence.

Each step asserts what the page shows, and a screenshot of each main page
lands in tests/artifacts/ for CI to keep.
"""

import re

import pytest
from playwright.sync_api import expect

from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.parties.models import Person

from ..browser import Desk
from ..factories import CustomerFactory, approved_determination, letter

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(today, officer, reviewer, item):
    letter(item)
    lab = CustomerFactory(
        external_id="CUST-US-GLU", legal_name="Great Lakes University AI Lab", country_of_incorporation_id="US"
    )
    approved_determination(lab, preparer=officer, reviewer=reviewer, effective_on=today)
    return {"lab": lab}


def test_a_foreign_nationals_case_runs_from_first_record_to_an_issued_licence(
    chromium, live_site, artifacts, world, officer, reviewer
):
    officer_desk = Desk(chromium, live_site, artifacts, "officer")
    page = officer_desk.page
    officer_desk.shot("01-dashboard-officer")

    # The officer records a researcher with an Indian citizenship.
    officer_desk.go("/persons/new/")
    page.get_by_label("Customer (billing id)").fill("CUST-US-GLU")
    page.get_by_label("Billing person id").fill("EMP-1")
    page.get_by_label("Relationship").select_option("customer_user")
    page.get_by_label("Given name").fill("Priya")
    page.get_by_label("Family name").fill("Raman")
    page.get_by_label("Where the person is located").select_option("US")
    first = page.get_by_role("group", name="Status 1")
    first.get_by_label("Status").select_option("citizenship")
    first.get_by_label("Country").select_option("IN")
    first.get_by_label("Acquired on").fill("1994-05-02")
    officer_desk.shot("02-person-form")
    page.get_by_role("button", name="Record person").click()
    expect(page.get_by_role("heading", name="Priya Raman", level=1)).to_be_visible()
    expect(page.locator(".verdict")).to_have_text("Foreign person")
    expect(page.get_by_text("Release attributed to")).to_be_visible()
    expect(page.locator("dd", has_text="IN").first).to_be_visible()

    # Billing's request arrives (recorded here by hand) and is held: nobody has determined her yet.
    officer_desk.go("/transactions/new/")
    page.get_by_label("Billing transaction id").fill("TX-E2E-1")
    page.get_by_label("Customer (billing id)").fill("CUST-US-GLU")
    page.get_by_label("Person (billing person id)").fill("EMP-1")
    page.locator("#id_item").select_option(label="Frontier-1 model weights (4E091)")
    page.get_by_label("Activity").select_option("deemed_export")
    page.get_by_label("Destination (where the item goes or is released)").select_option("US")
    page.get_by_label("Value").fill("250000")
    page.get_by_label("End use").fill("Fine-tuning research")
    page.get_by_role("button", name="Record and decide").click()
    expect(page.get_by_role("heading", name=re.compile("Transaction TX-E2E-1"))).to_contain_text("Hold")
    expect(page.locator(".reasons")).to_contain_text("No approved foreign-person determination for Priya Raman")
    officer_desk.shot("03-transaction-held")

    # The officer prepares the determination and sends it for review; four eyes keep her from approving it.
    page.get_by_role("link", name="Priya Raman").first.click()
    page.get_by_role("link", name="Prepare determination").click()
    expect(page.locator(".verdict")).to_contain_text("attributed to IN")
    page.get_by_role("button", name="Draft determination").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    expect(page.locator(".verdict")).to_contain_text("a release is attributed to India")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In review")
    expect(page.get_by_text("You prepared this, so a colleague must approve it.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    determination_url = page.url
    officer_desk.shot("04-determination-in-review")

    # The reviewer sees it waiting and approves it.
    reviewer_desk = Desk(chromium, live_site, artifacts, "reviewer")
    review = reviewer_desk.page
    expect(review.locator("section", has=review.get_by_role("heading", name="Awaiting my review"))).to_contain_text(
        "Priya Raman"
    )
    reviewer_desk.shot("05-dashboard-reviewer")
    review.goto(determination_url)
    expect(review.locator(".four-eyes")).to_contain_text("Prepared by")
    expect(review.locator(".four-eyes")).to_contain_text("officer")
    reviewer_desk.click("Approve")
    expect(review.get_by_role("heading", level=1)).to_contain_text("Approved")
    expect(review.locator(".four-eyes")).to_contain_text("Approved by")

    # The held transaction is decided again: now it needs a licence, and a draft application exists.
    record = Transaction.objects.get(external_id="TX-E2E-1")
    officer_desk.go(f"/transactions/{record.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Licence required")
    expect(page.locator(".reasons")).to_contain_text("attributed to IN")
    application = LicenceApplication.objects.get(transaction=record)
    page.get_by_role("link", name=application.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    officer_desk.shot("06-application-draft")

    # The officer completes the blocks; the pre-filing check refuses an incomplete draft first, naming each block.
    application_url = page.url
    page.get_by_role("button", name="Submit for review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("25 Signature: Block 25 needs the signer's name and title.")
    expect(alert).to_contain_text("16 Purchaser: no full address for Great Lakes University AI Lab")
    expect(alert).to_contain_text("Priya Raman's passport, visa, resume are not on file")
    # A deemed export's papers: her passport, visa and resume.
    officer_desk.go(f"/persons/{Person.objects.get(external_id='EMP-1').pk}/")
    for kind in ("passport", "visa", "resume"):
        page.locator("summary", has_text="Attach a document").click()
        page.get_by_label("Kind").select_option(kind)
        page.get_by_label("File").set_input_files(
            {"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
        )
        page.get_by_role("button", name="Attach").click()
    page.goto(application_url)
    # Full addresses for blocks 16, 18 and 19, and block 22's quantity and units.
    for block in ("16 Purchaser", "18 Ultimate consignee", "19 End user"):
        page.get_by_role("link", name=f"Edit {block}").click()
        page.get_by_label("Address").fill("500 S State St")
        page.get_by_label("City").fill("Ann Arbor, MI")
        page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Edit item 1").click()
    page.get_by_label("22e Quantity").fill("1")
    page.get_by_label("22f Units").fill("copy")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Edit blocks 1–25").click()
    page.get_by_label("25 Signature: name").fill("Olivia Officer")
    page.get_by_label("25 Signature: title").fill("Export Compliance Officer")
    expect(page.locator("#checklist")).to_contain_text("Ready for review")
    officer_desk.shot("07-application-form")
    page.get_by_role("button", name="Save application").click()
    expect(page.locator(".facts.blocks")).to_contain_text("Olivia Officer, Export Compliance Officer")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In review")
    expect(page.get_by_role("button", name="Approve for filing")).to_have_count(0)

    # The reviewer approves it for filing.
    review.goto(page.url)
    reviewer_desk.click("Approve for filing")
    expect(review.get_by_role("heading", level=1)).to_contain_text("Approved for filing")

    # The officer files it: a malformed control number is named, then the real one is recorded.
    page.reload()
    officer_desk.open_action("Record submission to BIS")
    page.get_by_label("SNAP-R application control number").fill("12345")
    page.get_by_role("button", name="Record submission to BIS").click()
    expect(page.locator(".field-error")).to_contain_text(
        "SNAP-R application control number: An Application Control Number is a letter and six digits"
    )
    page.get_by_label("SNAP-R application control number").fill("Z123456")
    page.get_by_role("button", name="Record submission to BIS").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted to BIS")
    expect(page.locator(".facts").first).to_contain_text("Z123456")

    officer_desk.open_action("Record registration")
    page.get_by_role("button", name="Record registration").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registered")

    officer_desk.open_action("Record approval")
    approval = page.locator("details[open]")
    approval.get_by_label("Licence number").fill("D7654321")
    approval.get_by_role("button", name="Record approval", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    expect(page.locator(".success-card")).to_contain_text("Licence D7654321")
    officer_desk.shot("08-application-approved")

    # The licence appears, and the transaction is authorised under it.
    page.get_by_role("link", name="Licence D7654321").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Active")
    expect(page.locator(".facts").first).to_contain_text("India")
    officer_desk.shot("09-licence")
    licence = Licence.objects.get(number="D7654321")
    assert licence.person.family_name == "Raman" and licence.country_id == "IN"
    officer_desk.go(f"/transactions/{record.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Authorised")
    expect(page.locator(".reasons")).to_contain_text("Authorised under licence D7654321")
    officer_desk.shot("10-transaction-authorised")

    # A comment goes in place, without a page load.
    page.get_by_label("Add a comment").fill("Billing told; access granted.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comments")).to_contain_text("Billing told; access granted.")

    for desk in (officer_desk, reviewer_desk):
        assert desk.console_errors == [], desk.console_errors
        desk.close()


def test_every_main_page_renders_in_the_browser(chromium, live_site, artifacts, world, reviewer, officer, item):
    from .rows import add_rows

    add_rows(30, officer=officer, item=item)
    desk = Desk(chromium, live_site, artifacts, "reviewer")
    page = desk.page
    expect(page.locator("#chart-pipeline")).to_be_visible()
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 2")
    desk.shot("20-dashboard-with-charts")
    for name, path, heading in (
        ("21-customers", "/customers/", "Customers"),
        ("22-persons", "/persons/", "Persons"),
        ("23-determinations", "/determinations/", "Determinations"),
        ("24-determination-tasks", "/determinations/tasks/?status=open", "Determinations needed"),
        ("25-transactions", "/transactions/", "Transactions"),
        ("26-applications", "/applications/", "Licence applications"),
        ("27-licences", "/licences/", "Licences"),
    ):
        desk.go(path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.locator("table.list tbody tr").first).to_be_visible()
        desk.shot(name)

    # Search narrows the list in place (htmx), and the address bar follows.
    desk.go("/customers/")
    page.get_by_role("searchbox", name="Search").fill("Great Lakes")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.locator(".count")).to_have_text(re.compile(r"1–1 of 1"))
    assert re.search(r"q=Great(%20|\+)Lakes", page.url)
    page.get_by_role("link", name="Great Lakes University AI Lab").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Great Lakes University AI Lab")
    desk.shot("28-customer")

    # Bulk assignment from the list.
    desk.go("/applications/?stage=open")
    page.locator("input[name=selected]").nth(0).check()
    page.locator("input[name=selected]").nth(1).check()
    page.get_by_label("Assign the selected rows to").select_option(label=f"{reviewer} (Reviewer)")
    page.get_by_role("button", name="Assign selected").click()
    expect(page.locator(".message.success")).to_have_text("2 applications assigned.")

    # Keyboard: the skip link is the first stop and lands on the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    assert desk.console_errors == [], desk.console_errors
    desk.close()
