"""POST /api/v1/transactions: recorded and decided once, replayed safely, conflicts refused."""

from licensing.audit.models import Event
from licensing.cases.models import Decision, Transaction

from ..factories import CustomerFactory

URL = "/api/v1/transactions"


def body(customer, **overrides):
    return {
        "external_id": "INV-1001",
        "customer": customer.external_id,
        "item": "frontier-1",
        "activity": "export",
        "destination_country": customer.country_of_incorporation_id,
        "value": "1200.00",
        "end_use": "Model inference for a research group",
        **overrides,
    }


def test_posting_a_transaction_returns_its_decision_reasons_and_links(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")

    response = billing.post(URL, body(customer), format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["decision"] == Decision.LICENCE_REQUIRED
    assert any("licence is required" in reason for reason in data["reasons"])
    assert data["application"].startswith("EXD-")
    assert data["links"]["self"] == "/api/v1/transactions/INV-1001"
    assert data["links"]["application"].startswith("/api/v1/applications/")
    assert data["links"]["licence"] is None


def test_an_authorised_transaction_links_its_licence(billing, cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)

    response = billing.post(URL, body(customer, external_id="INV-2"), format="json")

    assert response.json()["decision"] == Decision.AUTHORISED
    assert response.json()["licence"] == licence.number
    assert response.json()["links"]["licence"] == f"/api/v1/licences/{licence.number}"


def test_five_replays_create_one_transaction_with_one_decision(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")

    responses = [billing.post(URL, body(customer), format="json") for _ in range(5)]

    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200]
    assert Transaction.objects.filter(external_id="INV-1001").count() == 1
    assert len({r.json()["decision"] for r in responses}) == 1
    assert Event.objects.filter(verb="transaction.recorded").count() == 1


def test_the_same_external_id_with_a_different_body_is_a_conflict(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")
    billing.post(URL, body(customer), format="json")

    response = billing.post(URL, body(customer, value="9999.00"), format="json")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "different value" in response.json()["detail"]
    assert Transaction.objects.get(external_id="INV-1001").value == 1200


def test_an_unknown_customer_is_refused_naming_the_field(billing, item):
    response = billing.post(URL, body(CustomerFactory.build(external_id="NOPE")), format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "customer", "message": "No customer has external_id NOPE; PUT it first."}
    ]
    assert not Transaction.objects.exists()


def test_unknown_fields_are_refused(billing, cases):
    customer = cases.foreign_customer("DE")

    response = billing.post(URL, body(customer, discount="10%"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "discount", "message": "This field is not known."}]


def test_a_read_only_token_cannot_post_transactions(read_only, cases):
    customer = cases.foreign_customer("DE")

    response = read_only.post(URL, body(customer), format="json")

    assert response.status_code == 403
    assert not Transaction.objects.exists()


def test_the_transaction_reads_back_with_its_current_decision(billing, read_only, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")
    billing.post(URL, body(customer), format="json")

    response = read_only.get(f"{URL}/INV-1001")

    assert response.status_code == 200
    assert response.json()["decision"] == Decision.LICENCE_REQUIRED


def test_reading_an_unknown_transaction_is_a_404_problem(read_only, db):
    response = read_only.get(f"{URL}/INV-404")

    assert response.status_code == 404
    assert response.json()["status"] == 404
