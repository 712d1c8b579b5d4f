"""POST /api/v1/licences/{number}/usage: drawn down under a row lock, refused when it would not fit."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from licensing.cases.models import Decision, Licence, LicenceUsage
from licensing.cases.services.licences import change_licence_status

from ..factories import transaction
from .conftest import client_with_token


def usage_url(licence):
    return f"/api/v1/licences/{licence.number}/usage"


@pytest.fixture
def licensed(cases, letter_covering_many):
    """A customer whose licence covers 10 units, and a helper for its authorised transactions."""
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer, quantity=Decimal("10"), value=Decimal("10000"))

    def authorised(external_id, quantity=1):
        record = transaction(customer, cases.item, external_id=external_id, quantity=Decimal(quantity))
        assert record.decision == Decision.AUTHORISED and record.licence == licence
        return record

    return licence, authorised


def test_usage_draws_the_licence_down(billing, licensed):
    licence, authorised = licensed
    authorised("INV-1", quantity=3)

    response = billing.post(
        usage_url(licence), {"transaction": "INV-1", "quantity": "3", "value": "300"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["usage"]["quantity"] == "3.00"
    assert response.json()["licence"]["remaining_quantity"] == "7.00"
    licence.refresh_from_db()
    assert (licence.quantity_used, licence.value_used) == (3, 300)


def test_replaying_a_usage_draws_nothing_more(billing, licensed):
    licence, authorised = licensed
    authorised("INV-1", quantity=2)
    payload = {"transaction": "INV-1", "quantity": "2"}

    first = billing.post(usage_url(licence), payload, format="json")
    again = billing.post(usage_url(licence), payload, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    licence.refresh_from_db()
    assert licence.quantity_used == 2
    assert LicenceUsage.objects.count() == 1


def test_a_replay_with_other_figures_is_a_conflict(billing, licensed):
    licence, authorised = licensed
    authorised("INV-1", quantity=2)
    billing.post(usage_url(licence), {"transaction": "INV-1", "quantity": "2"}, format="json")

    response = billing.post(usage_url(licence), {"transaction": "INV-1", "quantity": "5"}, format="json")

    assert response.status_code == 409
    assert "different quantity" in response.json()["detail"]


def test_usage_beyond_what_is_left_is_refused_with_the_amount_left(billing, licensed):
    licence, authorised = licensed
    authorised("INV-1", quantity=1)
    Licence.objects.filter(pk=licence.pk).update(quantity_used=Decimal("9.5"))

    response = billing.post(usage_url(licence), {"transaction": "INV-1", "quantity": "1"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == f"Licence {licence.number} has 0.50 units left; this usage needs 1.00."
    assert not LicenceUsage.objects.exists()


def test_usage_outside_the_validity_is_refused(billing, licensed):
    licence, authorised = licensed
    authorised("INV-1")
    before = (licence.valid_from - datetime.timedelta(days=1)).isoformat()

    response = billing.post(
        usage_url(licence), {"transaction": "INV-1", "quantity": "1", "used_on": before}, format="json"
    )

    assert response.status_code == 409
    assert "outside the validity" in response.json()["detail"]


def test_usage_of_a_suspended_licence_is_refused(billing, licensed, reviewer):
    licence, authorised = licensed
    authorised("INV-1")
    change_licence_status(actor=reviewer, licence=licence, action="suspend", reason="End-use check")

    response = billing.post(usage_url(licence), {"transaction": "INV-1", "quantity": "1"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == f"Licence {licence.number} is suspended, not active."


def test_usage_by_a_transaction_not_authorised_under_the_licence_is_refused(billing, licensed, cases):
    licence, _ = licensed
    stranger = transaction(cases.foreign_customer("FR"), cases.item, external_id="OTHER-1")

    response = billing.post(usage_url(licence), {"transaction": "OTHER-1", "quantity": "1"}, format="json")

    assert response.status_code == 409
    assert f"not licence {licence.number}" in response.json()["detail"]
    assert stranger.licence is None


def test_using_up_the_licence_marks_it_exhausted(billing, licensed):
    licence, authorised = licensed
    authorised("INV-ALL", quantity=10)

    response = billing.post(usage_url(licence), {"transaction": "INV-ALL", "quantity": "10"}, format="json")

    assert response.status_code == 201
    assert response.json()["licence"]["status"] == Licence.Status.EXHAUSTED


def test_negative_quantities_are_refused_naming_the_field(billing, licensed):
    licence, authorised = licensed
    authorised("INV-1")

    response = billing.post(usage_url(licence), {"transaction": "INV-1", "quantity": "-1"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "quantity"


def test_an_unknown_licence_is_a_404(billing, db):
    response = billing.post("/api/v1/licences/NOPE-1/usage", {"transaction": "INV-1"}, format="json")

    assert response.status_code == 404


def test_a_read_only_token_cannot_record_usage(read_only, licensed):
    licence, authorised = licensed
    authorised("INV-1")

    response = read_only.post(usage_url(licence), {"transaction": "INV-1", "quantity": "1"}, format="json")

    assert response.status_code == 403
    assert not LicenceUsage.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_calls_at_a_licence_with_room_for_ten_allow_exactly_ten(billing_token, licensed):
    licence, authorised = licensed
    for n in range(50):
        authorised(f"RACE-{n}")
    barrier = threading.Barrier(50)

    def use(n):
        client = client_with_token(billing_token)
        barrier.wait()
        try:
            return client.post(usage_url(licence), {"transaction": f"RACE-{n}", "quantity": "1"}, format="json")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(use, range(50)))

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [409] * 40
    licence.refresh_from_db()
    assert licence.quantity_used == 10
    assert LicenceUsage.objects.filter(licence=licence).count() == 10
