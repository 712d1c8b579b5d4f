"""In Chromium at a phone's 375 px: no main page is wider than the screen (wide tables scroll in their own box)."""

import pytest

from licensing.cases.models import LicenceApplication

from ..browser import signed_in
from ..factories import CustomerFactory, approved_determination, letter, transaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTH = 375
MAIN_PAGES = (
    "/",
    "/customers/",
    "/persons/",
    "/determinations/",
    "/transactions/",
    "/applications/",
    "/licences/",
    "/screening/",
    "/filings/",
    "/deadlines/",
    "/audit/",
)


@pytest.fixture
def application(today, officer, reviewer, item):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland Institut für Maschinelles Lernen")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    record = transaction(customer, item, external_id="TX-A-RATHER-LONG-BILLING-IDENTIFIER-0001")
    return LicenceApplication.objects.get(transaction=record)


def _page_width(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def test_no_main_page_overflows_a_375_px_screen(chromium, live_site, artifacts, application, reviewer):
    context, page = signed_in(chromium, live_site, "reviewer", width=WIDTH, height=800)
    pages = [*MAIN_PAGES, f"/applications/{application.pk}/", f"/transactions/{application.transaction_id}/"]
    too_wide = {}
    for path in pages:
        page.goto(f"{live_site}{path}")
        page.wait_for_load_state("networkidle")
        width = _page_width(page)
        if width > WIDTH:
            too_wide[path] = width
            page.screenshot(path=str(artifacts / f"narrow{path.strip('/').replace('/', '-') or '-dashboard'}.png"))
    context.close()
    assert too_wide == {}
