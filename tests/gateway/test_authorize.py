"""/api/v1/gateway/authorize: the gateway asks before every model call, and anything unsure is a refusal."""

import socket
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from licensing.cases.models import Decision
from licensing.cases.services.licences import change_licence_status
from licensing.gateway.models import ModelApiKey
from licensing.gateway.receipts import receipt_is_genuine
from licensing.gateway.services import register_model_api_key, revoke_model_api_key
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status

from ..factories import CustomerFactory, PersonFactory, add_status

AUTHORIZE = "/api/v1/gateway/authorize"
ROUTE = "/v1/models/frontier-1/chat/completions"


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.GATEWAY_ROUTES = ["/v1/models/frontier-1=frontier-1", "/v1/models/small=no-such-item"]
    settings.GATEWAY_RECEIPT_KEY = "receipts-" + "k" * 50


def ask(raw=None, *, path=ROUTE, method="get", end_user=None, header="Authorization"):
    headers = {}
    if raw is not None:
        headers[header] = f"Bearer {raw}" if header == "Authorization" else raw
    if end_user is not None:
        headers["X-End-User"] = end_user
    return getattr(Client(), method)(AUTHORIZE + path, headers=headers)


@pytest.fixture
def licensed(cases, letter_covering_many):
    """A customer in Germany with a licence for the item, and a model API key of theirs."""
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    key, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    return customer, licence, raw


def test_an_authorised_key_is_allowed_with_the_decision_the_licence_and_a_genuine_receipt(licensed):
    _, licence, raw = licensed

    response = ask(raw)

    assert response.status_code == 200, response.content
    assert response["X-ExportDesk-Decision"] == Decision.AUTHORISED
    assert response["X-ExportDesk-Licence"] == licence.number
    assert response["X-ExportDesk-Stamp"]
    assert receipt_is_genuine(
        decision=Decision.AUTHORISED,
        stamp=response["X-ExportDesk-Stamp"],
        at=response["X-ExportDesk-Time"],
        receipt=response["X-ExportDesk-Receipt"],
    )
    assert not receipt_is_genuine(
        decision=Decision.AUTHORISED,
        stamp=response["X-ExportDesk-Stamp"],
        at="2020-01-01T00:00:00.000000Z",
        receipt=response["X-ExportDesk-Receipt"],
    )


def test_any_method_and_the_key_in_x_api_key_are_answered_alike(licensed):
    _, _, raw = licensed

    assert ask(raw, method="post").status_code == 200
    assert ask(raw, header="X-Api-Key").status_code == 200


def test_nginx_may_send_the_original_uri_in_a_header_instead_of_the_path(licensed):
    _, _, raw = licensed

    response = Client().get(AUTHORIZE, headers={"Authorization": f"Bearer {raw}", "X-Original-URI": ROUTE + "?x=1"})

    assert response.status_code == 200


def test_a_customer_without_a_licence_is_denied_with_the_decision_and_its_reasons(cases, letter_for_foreign_persons):
    customer = cases.foreign_customer("DE")
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")

    response = ask(raw)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["decision"] == Decision.LICENCE_REQUIRED and body["reasons"]
    assert response["X-ExportDesk-Decision"] == Decision.LICENCE_REQUIRED
    assert "X-ExportDesk-Receipt" not in response


def test_held_and_blocked_customers_are_denied(licensed, officer):
    customer, _, raw = licensed
    set_customer_status(actor=officer, customer=customer, status=Customer.Status.ON_HOLD, reason="Screening hit")
    assert (ask(raw).status_code, ask(raw).json()["decision"]) == (403, Decision.HOLD)

    set_customer_status(actor=officer, customer=customer, status=Customer.Status.BLOCKED, reason="Denied party")
    assert (ask(raw).status_code, ask(raw).json()["decision"]) == (403, Decision.REFUSED)


def test_a_licence_revoked_denies_the_very_next_call(licensed, reviewer):
    _, licence, raw = licensed
    assert ask(raw).status_code == 200

    change_licence_status(actor=reviewer, licence=licence, action="revoke", reason="BIS revoked it (750.8).")

    assert ask(raw).status_code == 403


def test_a_revoked_key_is_denied_on_the_very_next_call(licensed):
    _, _, raw = licensed
    assert ask(raw).status_code == 200

    revoke_model_api_key(actor=None, key=ModelApiKey.objects.get(), reason="Leaked")

    response = ask(raw)
    assert (response.status_code, response.json()["type"].rsplit(":", 1)[1]) == (403, "unknown_key")


def test_a_key_asked_before_is_read_again_beside_the_decisions_stamp_in_one_query(licensed):
    _, _, raw = licensed
    # The first calls prepare the decision's statements on this connection.
    for _ in range(3):
        assert ask(raw).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert ask(raw).status_code == 200

    assert len(queries.captured_queries) == 1, [query["sql"][:80] for query in queries.captured_queries]


def test_a_seat_gone_since_the_key_was_last_asked_about_is_denied_on_the_very_next_call(licensed):
    customer, _, raw = licensed
    seat = PersonFactory(customer=customer, employer=customer, external_id="SEAT-1", location_country_id="DE")
    # Decided for the seat (whatever the decision): the seat is known, and the key remembered with it.
    first = ask(raw, end_user="SEAT-1")
    assert first.status_code == 200 or first.json()["type"].rsplit(":", 1)[1] != "unknown_end_user", first.content

    type(seat).objects.filter(pk=seat.pk).update(external_id="SEAT-1-LEFT")
    response = ask(raw, end_user="SEAT-1")

    assert (response.status_code, response.json()["type"].rsplit(":", 1)[1]) == (403, "unknown_end_user")


def test_a_key_moved_to_another_customer_is_decided_for_that_customer_on_the_very_next_call(
    licensed, cases, letter_covering_many
):
    _, _, raw = licensed
    assert ask(raw).status_code == 200
    unlicensed = cases.foreign_customer("DE")

    ModelApiKey.objects.update(customer=unlicensed)
    response = ask(raw)

    assert (response.status_code, response.json()["decision"]) == (403, Decision.LICENCE_REQUIRED)


@pytest.mark.parametrize("raw", [None, "", "exm_never-registered"])
def test_a_missing_or_unknown_key_is_denied(licensed, raw):
    assert ask(raw).status_code == 403


def test_a_route_no_prefix_covers_is_denied(licensed):
    _, _, raw = licensed

    assert ask(raw, path="/v1/models/other/chat").status_code == 403
    assert ask(raw, path="/v1/models/frontier-1/../other").status_code == 403
    assert ask(raw, path="/v1/models/frontier-10").status_code == 403


def test_a_route_to_an_item_not_known_is_denied(licensed):
    _, _, raw = licensed

    response = ask(raw, path="/v1/models/small/chat")

    assert response.status_code == 403
    assert "no-such-item" in response.json()["detail"]


def test_a_seat_in_the_united_states_is_decided_as_a_deemed_export_on_nationality(cases, letter_for_foreign_persons):
    lab = cases.determined(CustomerFactory(country_of_incorporation_id="US"))
    _, raw = register_model_api_key(actor=None, customer=lab, name="lab")
    foreign = PersonFactory(customer=lab, employer=lab, external_id="SEAT-IN", location_country_id="US")
    add_status(foreign, "citizenship", "IN", "1990-01-01")
    cases.determined(foreign)
    american = PersonFactory(customer=lab, employer=lab, external_id="SEAT-US", location_country_id="US")
    add_status(american, "citizenship", "US", "1990-01-01")
    cases.determined(american)

    refused = ask(raw, end_user="SEAT-IN")
    allowed = ask(raw, end_user="SEAT-US")

    assert (refused.status_code, refused.json()["decision"]) == (403, Decision.LICENCE_REQUIRED)
    assert allowed.status_code == 200, allowed.content


def test_a_seat_the_customer_does_not_have_is_denied(licensed):
    _, _, raw = licensed
    PersonFactory(external_id="SOMEONE-ELSE")

    response = ask(raw, end_user="SOMEONE-ELSE")

    assert (response.status_code, response.json()["type"].rsplit(":", 1)[1]) == (403, "unknown_end_user")


def test_a_failure_inside_the_check_denies_with_503(licensed, monkeypatch):
    _, _, raw = licensed

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("licensing.api.views.gateway_authorize.check_access", broken)

    response = ask(raw)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"


@pytest.fixture
def committed_key(transactional_db):
    customer = CustomerFactory(country_of_incorporation_id="DE")
    return register_model_api_key(actor=None, customer=customer, name="prod")[1]


@pytest.fixture
def restore_connection():
    saved = dict(connection.settings_dict)
    yield
    connection.close()
    connection.settings_dict.update(saved)


def test_with_the_database_unreachable_every_call_is_denied(committed_key, restore_connection):
    connection.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        connection.settings_dict["PORT"] = str(sock.getsockname()[1])

    assert ask(committed_key).status_code == 503


def test_a_database_that_does_not_answer_in_time_denies_within_the_deadline(committed_key, settings):
    settings.ACCESS_CHECK_TIMEOUT_MS = 300
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres", dbname=db["NAME"]
    ) as locker:
        locker.execute(f"LOCK TABLE {ModelApiKey._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = ask(committed_key)
        took = time.monotonic() - started
        locker.rollback()

    assert response.status_code == 503
    assert "300 ms" in response.json()["detail"]
    assert took < 3


@pytest.fixture
def behind_a_trusted_proxy(settings):
    # The test client's peer, 127.0.0.1, stands for the gateway; 10.0.0.0/8 for the load balancer before it.
    settings.GATEWAY_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def from_address(raw, forwarded_for):
    return Client().get(AUTHORIZE + ROUTE, headers={"Authorization": f"Bearer {raw}", "X-Forwarded-For": forwarded_for})


GERMANY, FRANCE, IRAN, UNITED_STATES = "80.128.0.1", "2.0.0.1", "2.144.0.1", "8.8.8.8"


def test_a_call_from_the_recorded_country_is_allowed(licensed, behind_a_trusted_proxy):
    _, _, raw = licensed

    assert from_address(raw, GERMANY).status_code == 200


def test_a_call_from_an_embargoed_country_is_refused(licensed, behind_a_trusted_proxy):
    _, _, raw = licensed

    response = from_address(raw, f"{IRAN}, 10.1.2.3")

    assert (response.status_code, response.json()["decision"]) == (403, Decision.REFUSED)


def test_a_call_from_another_country_is_decided_as_an_export_there(licensed, behind_a_trusted_proxy):
    _, _, raw = licensed

    response = from_address(raw, FRANCE)

    # The licence covers exports to Germany, not France.
    assert (response.status_code, response.json()["decision"]) == (403, Decision.LICENCE_REQUIRED)


def test_an_address_the_client_wrote_before_the_trusted_hops_is_not_believed(licensed, behind_a_trusted_proxy):
    _, _, raw = licensed

    # The client claims Germany; the load balancer saw it come from Iran.
    response = from_address(raw, f"{GERMANY}, {IRAN}, 10.1.2.3")

    assert (response.status_code, response.json()["decision"]) == (403, Decision.REFUSED)


def test_a_call_from_an_address_the_table_cannot_place_is_held(licensed, behind_a_trusted_proxy):
    _, _, raw = licensed

    for address in ("2001:db8::1", "192.168.1.1", "not-an-address"):
        response = from_address(raw, address)
        assert (response.status_code, response.json()["decision"]) == (403, Decision.HOLD), address


def test_a_call_from_the_united_states_makes_no_one_a_united_states_person(licensed, behind_a_trusted_proxy):
    _, _, raw = licensed

    assert from_address(raw, UNITED_STATES).status_code == 200


def test_without_trusted_proxies_the_forwarded_address_is_ignored(licensed):
    _, _, raw = licensed

    assert from_address(raw, IRAN).status_code == 200


def test_with_the_location_table_too_old_an_export_is_held(licensed, behind_a_trusted_proxy, settings):
    _, _, raw = licensed
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 1

    response = from_address(raw, GERMANY)

    assert (response.status_code, response.json()["decision"]) == (403, Decision.HOLD)
    assert response.json()["type"].endswith(":stale_location_table")
    assert response["X-ExportDesk-Decision"] == Decision.HOLD


def test_with_the_location_table_too_old_a_seat_in_the_united_states_is_still_decided_on_nationality(
    cases, letter_for_foreign_persons, behind_a_trusted_proxy, settings
):
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 1
    lab = cases.determined(CustomerFactory(country_of_incorporation_id="US"))
    _, raw = register_model_api_key(actor=None, customer=lab, name="lab")
    foreign = PersonFactory(customer=lab, employer=lab, external_id="SEAT-IN", location_country_id="US")
    add_status(foreign, "citizenship", "IN", "1990-01-01")
    cases.determined(foreign)
    american = PersonFactory(customer=lab, employer=lab, external_id="SEAT-US", location_country_id="US")
    add_status(american, "citizenship", "US", "1990-01-01")
    cases.determined(american)

    def seat_calls(seat):
        headers = {"Authorization": f"Bearer {raw}", "X-End-User": seat, "X-Forwarded-For": UNITED_STATES}
        return Client().get(AUTHORIZE + ROUTE, headers=headers)

    refused, allowed = seat_calls("SEAT-IN"), seat_calls("SEAT-US")
    no_seat = from_address(raw, UNITED_STATES)

    assert (refused.status_code, refused.json()["decision"]) == (403, Decision.LICENCE_REQUIRED)
    assert allowed.status_code == 200, allowed.content
    # The customer's own calls are exports, decided by place: held.
    assert (no_seat.status_code, no_seat.json()["type"].rsplit(":", 1)[1]) == (403, "stale_location_table")


def test_a_call_from_a_held_network_is_held(licensed, behind_a_trusted_proxy, settings):
    _, _, raw = licensed
    settings.GATEWAY_HELD_NETWORKS = ["80.128.0.0/16"]

    held = from_address(raw, GERMANY)

    assert (held.status_code, held.json()["decision"]) == (403, Decision.HOLD)
    assert held.json()["type"].endswith(":held_network")
    assert "80.128.0.0/16" in held.json()["detail"]
    assert from_address(raw, "79.192.0.1").status_code == 200
