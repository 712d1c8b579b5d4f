"""Beside every recorded decision stands the live one: what the access check answers now."""

from licensing.cases.models import Decision
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status

from ..factories import transaction


def _authorised_then_held(cases, officer):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    record = transaction(customer, cases.item, external_id="TX-LIVE")
    assert record.decision == Decision.AUTHORISED
    # The re-decision this enqueues never runs here: the test's transaction never commits.
    set_customer_status(actor=officer, customer=customer, status=Customer.Status.ON_HOLD, reason="KYC refresh")
    record.refresh_from_db()
    assert record.decision == Decision.AUTHORISED
    return record


def test_the_transaction_page_shows_the_hold_beside_the_authorisation_it_recorded(
    cases, client, officer, letter_covering_many
):
    record = _authorised_then_held(cases, officer)
    client.force_login(officer)

    page = client.get(f"/transactions/{record.pk}/").content.decode()

    assert "Now: Hold" in page
    assert "When decided: Authorised" in page
    assert "KYC refresh" in page


def test_the_dashboard_lists_a_transaction_held_since_it_was_decided(cases, client, officer, letter_covering_many):
    record = _authorised_then_held(cases, officer)
    client.force_login(officer)

    response = client.get("/")

    assert record in response.context["holds"]["rows"]
    assert "Recorded as authorised when decided" in response.content.decode()


def test_the_api_reads_the_live_decision_beside_the_recorded_one(cases, officer, read_only, letter_covering_many):
    record = _authorised_then_held(cases, officer)

    data = read_only.get(f"/api/v1/transactions/{record.external_id}").json()

    assert data["decision"] == Decision.AUTHORISED
    assert data["live"]["decision"] == Decision.HOLD
    assert any("KYC refresh" in reason for reason in data["live"]["reasons"])


def test_a_decision_that_still_stands_reads_the_same_live(cases, read_only, letter_covering_many):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    record = transaction(customer, cases.item, external_id="TX-STANDS")

    data = read_only.get(f"/api/v1/transactions/{record.external_id}").json()

    assert data["live"]["decision"] == data["decision"] == Decision.AUTHORISED
