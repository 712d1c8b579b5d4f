"""In Chromium, as the officer on a phone: the dashboard's SVG charts draw their bars and stay inside the screen."""

import pytest
from playwright.sync_api import expect

from licensing.cases.models import LicenceApplication

from ..browser import signed_in
from ..factories import CustomerFactory, approved_determination, letter, transaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTH = 375


@pytest.fixture
def drafts(today, officer, reviewer, item):
    letter(item)
    made = []
    for name in ("Alpha GmbH", "Beta SA"):
        customer = CustomerFactory(legal_name=name)
        approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
        made.append(LicenceApplication.objects.get(transaction=transaction(customer, item)))
    return made


def test_the_charts_render_with_their_numbers_on_a_375_px_screen(chromium, live_site, artifacts, drafts):
    context, page = signed_in(chromium, live_site, "officer", width=WIDTH, height=800)
    weekly = page.locator("#chart-cases")
    ageing = page.locator("#chart-ageing")
    weekly.scroll_into_view_if_needed()
    expect(weekly).to_be_visible()
    expect(ageing).to_be_visible()
    # The browser laid out real bars: this week's "opened" bar has height, and the chart fits the screen.
    opened = page.locator("#chart-cases rect.bar").filter(has=page.locator("title", has_text="2 opened"))
    expect(opened).to_have_count(1)
    assert opened.bounding_box()["height"] > 10
    for chart in (weekly, ageing):
        box = chart.bounding_box()
        assert box["width"] > 250 and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # Screen readers get the title and description; the numbers are in a table too.
    expect(weekly).to_have_attribute("role", "img")
    assert "2 opened" in page.locator("#chart-cases-desc").text_content()
    page.locator("#case-ageing summary").click()
    expect(page.locator("#case-ageing table")).to_contain_text("No running clock")
    page.locator("#cases-per-week").screenshot(path=str(artifacts / "dashboard-cases-per-week-375.png"))
    page.locator("#case-ageing").screenshot(path=str(artifacts / "dashboard-ageing-375.png"))
    context.close()
