"""In Chromium, an officer's day: taking work from the pool, bulk assignment, and search that finds people."""

import pytest
from playwright.sync_api import expect

from licensing.cases.models import LicenceApplication

from ..browser import signed_in
from ..factories import CustomerFactory, PersonFactory, approved_determination, letter, transaction

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pool(today, officer, reviewer, item):
    letter(item)
    drafts = []
    for name in ("Universität Rheinland", "Sorbonne Réseaux SA", "Kyōto Keisan KK"):
        customer = CustomerFactory(legal_name=name, country_of_incorporation_id="DE")
        approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
        drafts.append(LicenceApplication.objects.get(transaction=transaction(customer, item)))
    return drafts


def test_an_officer_with_nothing_assigned_takes_work_from_the_pool(chromium, live_site, artifacts, pool, officer):
    context, page = signed_in(chromium, live_site, "officer")
    pool_card = page.locator("section[aria-labelledby=pool-h]")
    expect(pool_card).to_contain_text("Unassigned pool")
    expect(page.get_by_text("Nothing is assigned to you.")).to_be_visible()
    first = pool[0]
    pool_card.get_by_role("button", name=f"Assign to me {first.reference}").click()
    expect(page.get_by_text("Nothing is assigned to you.")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(first.reference)
    page.screenshot(path=str(artifacts / "officer-took-work.png"), full_page=True)
    first.refresh_from_db()
    assert first.assigned_officer == officer
    context.close()


def test_a_reviewer_assigns_selected_applications_in_bulk(chromium, live_site, pool, officer2):
    context, page = signed_in(chromium, live_site, "reviewer")
    page.goto(f"{live_site}/applications/?stage=open&assigned=nobody")
    for application in pool[:2]:
        page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("Assign the selected rows to").select_option(str(officer2.pk))
    page.get_by_role("button", name="Assign selected").click()
    expect(page.locator("#listing")).to_be_visible()
    assigned = set(LicenceApplication.objects.filter(assigned_officer=officer2).values_list("pk", flat=True))
    assert assigned == {pool[0].pk, pool[1].pk}
    # What is left in the pool is the one nobody took.
    page.goto(f"{live_site}/applications/?stage=open&assigned=nobody")
    expect(page.locator("#results")).to_contain_text(pool[2].reference)
    expect(page.locator("#results")).not_to_contain_text(pool[0].reference)
    context.close()


def test_search_ignores_accents_and_finds_a_person_by_their_whole_name(chromium, live_site, artifacts, pool):
    PersonFactory(given_name="Ananya", family_name="Iyer", external_id="P-IYER")
    PersonFactory(given_name="Ananya", family_name="Rao", external_id="P-RAO")
    context, page = signed_in(chromium, live_site, "officer")

    page.goto(f"{live_site}/customers/")
    page.get_by_role("searchbox", name="Search").fill("Universitat")
    page.get_by_role("button", name="Apply").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Universität Rheinland")
    expect(results).not_to_contain_text("Sorbonne")

    page.goto(f"{live_site}/persons/")
    page.get_by_role("searchbox", name="Search").fill("Ananya Iyer")
    page.get_by_role("button", name="Apply").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Iyer")
    expect(results).not_to_contain_text("Rao")
    page.screenshot(path=str(artifacts / "person-search.png"), full_page=True)
    context.close()
