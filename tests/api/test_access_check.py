"""GET /api/v1/access-check: the gate billing asks, decided afresh each time, never writing."""

import datetime

from django.db import connection
from django.db import transaction as db_transaction
from django.test.utils import CaptureQueriesContext

from licensing.api.models import ApiToken
from licensing.api.tokens import revoke_api_token
from licensing.cases.models import Decision, Licence
from licensing.cases.services.licences import change_licence_status
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status

from ..factories import CustomerFactory, PersonFactory, transaction
from .conftest import client_with_token

URL = "/api/v1/access-check"


def check(client, customer, **params):
    return client.get(URL, {"customer": customer.external_id, "item": "frontier-1", **params})


def test_a_licensed_customer_is_allowed_with_the_licence_named(billing, cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)

    response = check(billing, customer)

    assert response.status_code == 200
    data = response.json()
    assert data["allowed"] is True
    assert data["decision"] == Decision.AUTHORISED
    assert data["licence"] == {
        "number": licence.number,
        "valid_until": licence.valid_until.isoformat(),
        "link": f"/api/v1/licences/{licence.number}",
    }
    assert data["checked_at"]


def test_a_customer_without_a_licence_is_not_allowed(billing, cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")

    data = check(billing, customer).json()

    assert data["allowed"] is False
    assert data["decision"] == Decision.LICENCE_REQUIRED
    assert any("no active licence" in reason for reason in data["reasons"])


def test_an_undetermined_customer_is_held(billing, item):
    customer = CustomerFactory(country_of_incorporation_id="DE")

    data = check(billing, customer).json()

    assert (data["allowed"], data["decision"]) == (False, Decision.HOLD)


def test_a_revoked_licence_refuses_access_on_the_very_next_check(billing, cases, reviewer, letter_covering_many):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    assert check(billing, customer).json()["allowed"] is True

    change_licence_status(actor=reviewer, licence=licence, action="revoke", reason="BIS revoked it (750.8).")

    data = check(billing, customer).json()
    assert (data["allowed"], data["decision"]) == (False, Decision.LICENCE_REQUIRED)


def test_a_new_hold_or_block_takes_effect_on_the_very_next_check(billing, cases, officer, letter_covering_many):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    assert check(billing, customer).json()["allowed"] is True

    set_customer_status(actor=officer, customer=customer, status=Customer.Status.ON_HOLD, reason="Screening hit")
    held = check(billing, customer).json()
    set_customer_status(actor=officer, customer=customer, status=Customer.Status.BLOCKED, reason="Denied party")
    blocked = check(billing, customer).json()

    assert (held["allowed"], held["decision"]) == (False, Decision.HOLD)
    assert "Screening hit" in held["reasons"][0]
    assert (blocked["allowed"], blocked["decision"]) == (False, Decision.REFUSED)


def test_a_person_is_checked_as_a_deemed_export_to_their_attributed_country(billing, cases, letter_for_foreign_persons):
    lab = cases.determined(CustomerFactory(country_of_incorporation_id="US"))
    person = PersonFactory(customer=lab, employer=lab, external_id="U-7")
    from ..factories import add_status

    add_status(person, "citizenship", "IN", "1990-01-01")
    cases.determined(person)

    data = check(billing, lab, person="U-7", activity="deemed_export", country="US").json()

    assert (data["allowed"], data["decision"], data["attributed_country"]) == (False, Decision.LICENCE_REQUIRED, "IN")


def test_the_check_writes_nothing_and_its_query_count_does_not_grow_with_the_data(billing, cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    check(billing, customer)  # the token's last use is recorded once a minute; let that happen first

    with CaptureQueriesContext(connection) as small:
        assert check(billing, customer).json()["allowed"] is True
    for n in range(40):
        transaction(CustomerFactory(country_of_incorporation_id="FR"), cases.item, external_id=f"BULK-{n}")
    for n in range(5):
        cases.licence_for(cases.foreign_customer("FR"), external_id=f"MORE-{n}")
    with db_transaction.atomic():
        with connection.cursor() as cursor:
            # PostgreSQL itself refuses any write until this savepoint is rolled back.
            cursor.execute("SET TRANSACTION READ ONLY")
        with CaptureQueriesContext(connection) as large:
            assert check(billing, customer).json()["allowed"] is True
        db_transaction.set_rollback(True)

    # The token and everything the decision reads, in one statement prepared once per connection.
    assert [q["sql"].split()[0] for q in large.captured_queries] == ["EXECUTE"]
    assert len(small.captured_queries) == 1


def test_an_unknown_customer_is_a_404_that_does_not_allow(billing, db):
    response = billing.get(URL, {"customer": "GHOST", "item": "frontier-1"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["allowed"] is False


def test_a_misspelt_parameter_is_refused_rather_than_ignored(billing, cases):
    customer = cases.foreign_customer("DE")

    response = check(billing, customer, persn="U-7")

    assert response.status_code == 400
    assert response.json()["allowed"] is False
    assert response.json()["errors"] == [{"field": "persn", "message": "This field is not known."}]


def test_an_unknown_country_is_refused_naming_the_field(billing, cases):
    customer = cases.foreign_customer("DE")

    response = check(billing, customer, country="ZZ")

    assert response.status_code == 422
    assert response.json()["allowed"] is False
    assert response.json()["errors"][0]["field"] == "country"


def test_without_a_token_the_check_is_a_401_that_does_not_allow(anonymous, cases):
    customer = cases.foreign_customer("DE")

    response = check(anonymous, customer)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["allowed"] is False


def test_a_revoked_or_unknown_token_is_refused_on_the_very_next_check(billing, billing_token, cases):
    customer = cases.foreign_customer("DE")
    assert check(billing, customer).status_code == 200

    revoke_api_token(actor=None, token=ApiToken.objects.get(name="billing-test"), reason="Rotated")
    revoked = check(billing, customer)
    unknown = check(client_with_token(billing_token + "x"), customer)

    for response in (revoked, unknown):
        assert response.status_code == 401
        assert response.json()["allowed"] is False
        assert "unknown, revoked or expired" in response.json()["detail"]


def test_a_malformed_query_with_a_valid_token_names_the_field(billing, cases):
    customer = cases.foreign_customer("DE")

    response = check(billing, customer, activity="smuggling")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["activity"]
    assert response.json()["allowed"] is False


def test_a_malformed_query_without_a_valid_token_is_refused_for_the_token_first(cases, billing_token):
    customer = cases.foreign_customer("DE")

    response = check(client_with_token(billing_token + "x"), customer, activity="smuggling")

    assert response.status_code == 401


def test_an_expired_licence_does_not_allow(billing, cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    Licence.objects.filter(pk=licence.pk).update(valid_until=datetime.date.today() - datetime.timedelta(days=1))

    assert check(billing, customer).json()["allowed"] is False
