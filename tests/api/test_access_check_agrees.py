"""The access check and a posted transaction reach the same answer from the same rule.

Where the letter wants a licence per transaction, a check that names no
transaction is covered by no licence; naming a transaction lets only that
transaction's own licence count.
"""

from django.core.management import call_command

from licensing.cases.models import Decision, Licence

from .conftest import client_with_token

CHECK = "/api/v1/access-check"
POST = "/api/v1/transactions"


def _post_like(billing, record, external_id):
    body = {
        "external_id": external_id,
        "customer": record.customer.external_id,
        "item": record.item.code,
        "activity": record.activity,
        "destination_country": record.destination_country_id,
        "value": "10.00",
        "end_use": "Model inference",
    }
    if record.person_id:
        body["person"] = record.person.external_id
    return billing.post(POST, body, format="json")


def _check_like(billing, record, **extra):
    params = {
        "customer": record.customer.external_id,
        "item": record.item.code,
        "activity": record.activity,
        "country": record.destination_country_id,
        **extra,
    }
    if record.person_id:
        params["person"] = record.person.external_id
    return billing.get(CHECK, params)


def test_a_licence_for_one_transaction_does_not_let_a_general_check_through(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer, external_id="TX-LICENSED")
    licensed = licence.application.transaction

    posted = _post_like(billing, licensed, "TX-NEXT").json()
    checked = _check_like(billing, licensed).json()

    assert posted["decision"] == Decision.LICENCE_REQUIRED
    assert (checked["allowed"], checked["decision"]) == (False, Decision.LICENCE_REQUIRED)
    assert any("name the transaction" in reason for reason in checked["reasons"])


def test_a_check_naming_the_licensed_transaction_is_covered_by_its_licence(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer, external_id="TX-LICENSED")

    data = _check_like(billing, licence.application.transaction, transaction="TX-LICENSED").json()

    assert (data["allowed"], data["decision"]) == (True, Decision.AUTHORISED)
    assert data["licence"]["number"] == licence.number


def test_a_check_naming_another_transaction_is_not_covered_by_the_first_ones_licence(
    billing, cases, letter_for_foreign_persons
):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer, external_id="TX-LICENSED")
    licensed = licence.application.transaction
    _post_like(billing, licensed, "TX-NEXT")

    data = _check_like(billing, licensed, transaction="TX-NEXT").json()

    assert (data["allowed"], data["decision"]) == (False, Decision.LICENCE_REQUIRED)


def test_a_check_naming_a_transaction_of_another_item_or_country_is_refused_naming_the_field(
    billing, cases, letter_for_foreign_persons
):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer, external_id="TX-LICENSED")

    response = _check_like(billing, licence.application.transaction, transaction="TX-LICENSED", country="FR")

    assert response.status_code == 422
    assert response.json()["allowed"] is False
    assert response.json()["errors"][0]["field"] == "transaction"


def test_a_check_naming_an_unknown_transaction_is_a_404_and_never_allowed(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer, external_id="TX-LICENSED")

    response = _check_like(billing, licence.application.transaction, transaction="TX-NOBODY")

    assert response.status_code == 404
    assert response.json()["allowed"] is False


def test_for_every_licence_of_the_demo_a_new_transaction_and_the_access_check_agree(db, billing_token):
    call_command("seed_demo", password="demo-password-123")
    billing = client_with_token(billing_token)
    licences = list(Licence.objects.select_related("application__transaction__customer", "application__transaction"))
    assert licences, "the demo has licences"

    for number, licence in enumerate(licences):
        licensed = licence.application.transaction
        posted = _post_like(billing, licensed, f"TX-AGREE-{number}").json()
        checked = _check_like(billing, licensed).json()
        assert checked["decision"] == posted["decision"], (licence.number, posted["reasons"], checked["reasons"])
        assert checked["allowed"] is (posted["decision"] == Decision.AUTHORISED)
