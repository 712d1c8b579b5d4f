"""Screening never lets the gate say yes on stale facts.

A subject renamed since its last screening counts as unscreened until it is
screened again; a confirmed listing overrides any licence issued before it.
Each test asks the access check over HTTP, as billing does.
"""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from licensing.cases.models import Decision, LicenceReview
from licensing.cases.services.reviews import open_licence_reviews
from licensing.parties.models import Customer, CustomerAddress
from licensing.screening.models import Hit, SubjectScreening
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.screening.services.screening import screen_subject
from licensing.screening.tasks import screen_unscreened_subjects

from ..api.conftest import Cases, client_with_token
from ..factories import CustomerFactory, approved_determination, letter
from .conftest import DENIED_COMPANY, ENTITY_LISTED, import_csl, listed_rows

CHECK = "/api/v1/access-check"


@pytest.fixture
def billing(db):
    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token

    return client_with_token(issue_api_token(actor=None, name="billing-test", role=ClientRole.BILLING)[1])


@pytest.fixture
def letter_covering_many(item):
    """A letter whose licences may cover more than one transaction."""
    return letter(item, effective_from=timezone.localdate() - datetime.timedelta(days=365), per_transaction=False)


@pytest.fixture
def clean_customer(listed, item, officer, reviewer, letter_covering_many):
    """A German customer, determined, screened without hits, with a licence covering its exports."""
    customer = CustomerFactory(legal_name="Universität Rheinland", country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=listed.published_on)
    screen_subject(customer)
    assert not Hit.objects.filter(customer=customer).exists()
    Cases(officer, reviewer, item).licence_for(customer)
    return customer


def check(billing, customer, **params):
    return billing.get(CHECK, {"customer": customer.external_id, "item": "frontier-1", **params}).json()


def test_a_customer_renamed_through_the_api_is_held_until_screened_again(billing, clean_customer):
    assert check(billing, clean_customer)["allowed"] is True

    # The re-screen this enqueues never runs here: the test's transaction never commits, as if the queue were down.
    response = billing.put(
        f"/api/v1/customers/{clean_customer.external_id}",
        {"kind": clean_customer.kind, "legal_name": DENIED_COMPANY, "country_of_incorporation": "DE"},
        format="json",
    )
    assert response.status_code == 200

    data = check(billing, clean_customer)
    assert (data["allowed"], data["decision"]) == (False, Decision.HOLD)
    assert any("other names or addresses than when last screened" in reason for reason in data["reasons"])


def test_a_customer_renamed_in_the_admin_is_held_and_the_sweep_screens_it_again(billing, clean_customer, admin_user):
    Customer.objects.filter(pk=clean_customer.pk).update(legal_name=DENIED_COMPANY)

    assert check(billing, clean_customer)["allowed"] is False

    assert screen_unscreened_subjects.run() >= 1
    assert Hit.objects.filter(customer=clean_customer, matched_name__iexact=DENIED_COMPANY).exists()
    data = check(billing, clean_customer)
    assert (data["allowed"], data["decision"]) == (False, Decision.HOLD)
    assert any(DENIED_COMPANY in reason for reason in data["reasons"])


def test_a_new_address_makes_the_last_screening_stale(billing, clean_customer):
    clean_customer.addresses.create(
        kind=CustomerAddress.Kind.REGISTERED, line1="1 Nevsky Prospekt", city="St Petersburg", country_id="RU"
    )

    assert check(billing, clean_customer)["allowed"] is False
    screen_subject(clean_customer)
    assert check(billing, clean_customer)["allowed"] is True


def test_the_sweep_leaves_subjects_screened_as_they_are(clean_customer):
    screened_at = SubjectScreening.objects.get(customer=clean_customer).screened_at
    screen_unscreened_subjects.run()
    assert SubjectScreening.objects.get(customer=clean_customer).screened_at == screened_at


def _licensed_then_listed(officer, reviewer, item, write_csl, capture, name, country):
    """A customer licensed while no list was in force, then found on the list imported after."""
    customer = CustomerFactory(legal_name=name, country_of_incorporation_id=country)
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=timezone.localdate())
    licence = Cases(officer, reviewer, item).licence_for(customer, external_id=f"TX-{customer.pk}")
    with capture(execute=True):
        run = import_csl(write_csl(listed_rows(), name="consolidated-2026-07-31.csv"))
    assert run.version.status == "in_force", run.error
    screen_subject(customer)
    return customer, licence


def test_a_confirmed_entity_listing_holds_a_licensed_customer_and_opens_a_review(
    billing, officer, reviewer, item, write_csl, django_capture_on_commit_callbacks, letter_covering_many
):
    customer, licence = _licensed_then_listed(
        officer, reviewer, item, write_csl, django_capture_on_commit_callbacks, ENTITY_LISTED, "CN"
    )
    hit = Hit.objects.get(customer=customer)

    # The service the officers' hit page calls.
    adjudicate_hit(actor=officer, hit=hit, outcome="true_match", reason="Same company, same address")

    data = check(billing, customer, country="CN")
    assert data["allowed"] is False
    assert data["decision"] == Decision.HOLD
    assert any("Entity List" in reason for reason in data["reasons"])
    assert any(licence.number in reason and "issued before the listing" in reason for reason in data["reasons"])
    review = LicenceReview.objects.get(licence=licence)
    assert (review.hit, review.status) == (hit, LicenceReview.Status.OPEN)


def test_a_confirmed_denied_party_is_refused_whatever_licence_it_holds(
    billing, officer, reviewer, item, write_csl, django_capture_on_commit_callbacks, letter_covering_many
):
    customer, licence = _licensed_then_listed(
        officer, reviewer, item, write_csl, django_capture_on_commit_callbacks, DENIED_COMPANY, "ID"
    )

    adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="true_match", reason="Same")

    data = check(billing, customer)
    assert (data["allowed"], data["decision"]) == (False, Decision.REFUSED)
    assert any("Denied Persons List" in reason for reason in data["reasons"])
    assert LicenceReview.objects.filter(licence=licence).exists()


def test_confirming_twice_opens_one_review(
    officer, reviewer, item, write_csl, django_capture_on_commit_callbacks, letter_covering_many
):
    customer, licence = _licensed_then_listed(
        officer, reviewer, item, write_csl, django_capture_on_commit_callbacks, ENTITY_LISTED, "CN"
    )
    hit = adjudicate_hit(actor=officer, hit=Hit.objects.get(customer=customer), outcome="true_match", reason="Same")

    assert open_licence_reviews(hit=hit, reason="again") == []
    assert LicenceReview.objects.filter(licence=licence).count() == 1


def test_the_admin_has_no_way_to_change_a_customers_billing_id(admin_user, clean_customer):
    admin = site._registry[Customer]
    request = RequestFactory().get("/")
    request.user = admin_user
    assert "external_id" in admin.get_readonly_fields(request, clean_customer)
