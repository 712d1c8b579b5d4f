"""In Chromium: the officer records a foreign national's address and visa; the reviewer reads the evidence, attests."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from licensing.audit.models import Event
from licensing.determinations import services as determinations
from licensing.determinations.attestation import APPROVAL_ATTESTATION_VERSION
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.evidence import attach_evidence
from licensing.parties.models import PersonAddress, Visa

from ..browser import signed_in
from ..factories import CustomerFactory, PersonFactory, add_status

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = 375


@pytest.fixture
def researcher(officer):
    lab = CustomerFactory(country_of_incorporation_id="US", legal_name="Great Lakes University AI Lab")
    person = PersonFactory(customer=lab, employer=lab, given_name="Ananya", family_name="Iyer")
    add_status(person, "citizenship", "IN", "1991-04-02")
    attach_evidence(actor=officer, person=person, kind="passport", upload=SimpleUploadedFile("iyer-passport.pdf", PDF))
    return person


def _page_width(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def test_the_officer_records_the_dossier_and_the_reviewer_approves_under_the_attestation(
    chromium, live_site, artifacts, researcher, officer, reviewer, today
):
    expires_on = today + datetime.timedelta(days=45)

    # The officer: the address, then a visa typed wrong and put right.
    context, page = signed_in(chromium, live_site, "officer")
    page.goto(f"{live_site}/persons/{researcher.pk}/")
    expect(page.get_by_text("No address recorded")).to_be_visible()
    page.get_by_text("Record an address (a move)").click()
    page.get_by_label("Address line 1").fill("77 Massachusetts Ave")
    page.get_by_label("Address line 2").fill("Building 32")
    page.get_by_label("City").fill("Cambridge")
    page.get_by_label("State or region").fill("MA")
    page.get_by_label("Postal code").fill("02139")
    page.locator("#id_address-country").select_option("US")
    page.get_by_role("button", name="Record address").click()
    expect(page.get_by_test_id("current-address")).to_contain_text("77 Massachusetts Ave, Building 32")
    expect(page.get_by_test_id("current-address")).to_contain_text("Cambridge, MA 02139")

    page.get_by_text("Record a visa").click()
    page.get_by_label("Visa type").select_option("h1b")
    page.get_by_label("Visa number").fill("12-34")
    page.get_by_label("Expires on").fill(expires_on.isoformat())
    page.get_by_role("button", name="Record visa").click()
    expect(page.get_by_text("6 to 20 letters and digits")).to_be_visible()
    assert not Visa.objects.exists()
    page.get_by_label("Visa number").fill("ab 1234567")
    page.get_by_role("button", name="Record visa").click()
    visa = page.get_by_test_id("current-visa")
    expect(visa).to_contain_text("H-1B")
    expect(visa).to_contain_text("AB1234567")
    # The reminder's clock is on the page with the person's deadlines.
    expect(page.get_by_text("Visa expiry (deemed-export end user)").first).to_be_visible()
    page.screenshot(path=str(artifacts / "dossier-officer-person.png"), full_page=True)
    context.close()
    assert PersonAddress.objects.get(person=researcher).postal_code == "02139"

    draft = determinations.prepare_determination(actor=officer, subject=researcher, effective_on=today)
    determinations.submit_determination(actor=officer, determination=draft)

    # The reviewer: the evidence, the words of the attestation beside the button, then the approval.
    context, page = signed_in(chromium, live_site, "reviewer")
    page.goto(f"{live_site}/determinations/{draft.pk}/")
    evidence = page.locator("section", has=page.get_by_role("heading", name="Evidence it rests on"))
    expect(evidence).to_contain_text("Citizenship")
    expect(evidence).to_contain_text("India")
    expect(evidence).to_contain_text("read")
    expect(evidence.get_by_role("link", name="Passport")).to_be_visible()
    expect(evidence).to_contain_text("H-1B")
    expect(evidence).to_contain_text("77 Massachusetts Ave")
    expect(evidence).not_to_contain_text("AB1234567")
    attestation = page.locator("#approve-attestation")
    expect(attestation).to_contain_text("I did not prepare this determination")
    expect(attestation).to_contain_text("734.13(b)")
    page.screenshot(path=str(artifacts / "dossier-reviewer-determination.png"), full_page=True)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Done: approve")).to_be_visible()
    context.close()

    draft.refresh_from_db()
    assert draft.status == ForeignPersonDetermination.Status.APPROVED and draft.approved_by == reviewer
    approval = Event.objects.for_target(draft).get(verb="determination.approve")
    assert approval.after["attestation"] == APPROVAL_ATTESTATION_VERSION

    # On a phone neither page is wider than the screen.
    context, page = signed_in(chromium, live_site, "reviewer", width=PHONE, height=800)
    too_wide = {}
    for path in (f"/persons/{researcher.pk}/", f"/determinations/{draft.pk}/"):
        page.goto(f"{live_site}{path}")
        page.wait_for_load_state("networkidle")
        if _page_width(page) > PHONE:
            too_wide[path] = _page_width(page)
            page.screenshot(path=str(artifacts / f"dossier-narrow-{path.strip('/').replace('/', '-')}.png"))
    context.close()
    assert too_wide == {}
