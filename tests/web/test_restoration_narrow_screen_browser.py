"""In Chromium at a phone's 375 px: no restoration page is wider than the screen."""

import pytest

from licensing.restoration.models import Proposal
from licensing.restoration.services.imports import create_import_run
from licensing.restoration.services.triage import triage_subjects
from tests.browser import signed_in
from tests.factories import CustomerFactory, PersonFactory
from tests.restoration.intake_files import upload
from tests.restoration_rules import ensure_seeded_rule_set

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTH = 375


def test_no_restoration_page_overflows_a_375_px_screen(chromium, live_site, artifacts, officer):
    ensure_seeded_rule_set()
    customer = CustomerFactory(legal_name="Universität Rheinland Institut für Maschinelles Lernen GmbH & Co. KG")
    triage_subjects([customer], [PersonFactory(customer=customer)])
    bad_file = "external_id,kind,legal_name,country_of_incorporation\nB-1,entity,X,ZZ\nB-1,entity,Y,QQ\n"
    refused = create_import_run(actor=officer, kind="customers", upload=upload(bad_file), dry_run=True)
    proposal = Proposal.objects.current().for_subject(customer).get()
    context, page = signed_in(chromium, live_site, "officer", width=WIDTH, height=800)
    too_wide = {}
    for path in (
        "/restoration/",
        "/restoration/triage/",
        "/restoration/imports/new",
        f"/restoration/imports/{refused.pk}/",
        f"/restoration/triage/{proposal.pk}/",
    ):
        response = page.goto(f"{live_site}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        if width > WIDTH:
            too_wide[path] = width
            page.screenshot(path=str(artifacts / f"narrow-restoration-{path.strip('/').replace('/', '-')}.png"))
    context.close()
    assert too_wide == {}
