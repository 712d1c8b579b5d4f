"""Metered licences at the gateway: counted in real Redis, one script per call, never past the limit, failing closed."""

import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.db import connections
from django.test import Client
from django.urls import reverse

from licensing.cases.models import Licence
from licensing.gateway.metering import COUNTER_PREFIX, count_call, counter_key, reconcile_metered_usage
from licensing.gateway.models import MeteredUsage
from licensing.gateway.services import register_model_api_key
from licensing.gateway.tasks import reconcile_metered_usage as reconcile_task

from .gateways import free_port

AUTHORIZE = "/api/v1/gateway/authorize"
ROUTE = "/v1/models/frontier-1/chat/completions"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.GATEWAY_ROUTES = ["/v1/models/frontier-1=frontier-1"]
    settings.GATEWAY_RECEIPT_KEY = "receipts-" + "k" * 50


@pytest.fixture
def counters(settings):
    """The real Redis the counters live in, without this suite's counters before and after each test."""
    settings.GATEWAY_METERING_URL = REDIS_URL
    # A loaded test machine can stall a local Redis past production's 100 ms.
    settings.GATEWAY_METERING_TIMEOUT_MS = 1000
    client = redis.Redis.from_url(REDIS_URL)
    forget_counters(client)
    yield client
    forget_counters(client)


def forget_counters(client):
    for key in client.scan_iter(match=COUNTER_PREFIX + "*"):
        client.delete(key)


def licence_with_key(cases, *, calls=None, tokens=None):
    """A German customer's licence for the item, limited as given, and a model API key of theirs."""
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    # Set as the approval would have recorded them (the approval service's limits are tested in tests/cases).
    Licence.objects.filter(pk=licence.pk).update(authorised_calls=calls, authorised_tokens=tokens)
    licence.refresh_from_db()
    _, raw = register_model_api_key(actor=None, customer=customer, name="prod")
    return licence, raw


def ask(raw, **headers):
    return Client().post(AUTHORIZE + ROUTE, headers={"Authorization": f"Bearer {raw}", **headers})


def problem(response):
    return json.loads(response.content)["type"].rsplit(":", 1)[-1]


def test_each_call_is_counted_and_the_allow_says_how_many_are_left_until_none_are(
    counters, cases, letter_covering_many
):
    _, raw = licence_with_key(cases, calls=3)

    answers = [ask(raw) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 403]
    assert [a.get("X-ExportDesk-Calls-Left") for a in answers[:3]] == ["2", "1", "0"]
    assert problem(answers[3]) == "allowance_used"
    assert answers[3]["X-ExportDesk-Decision"] == "allowance_used"


def test_tokens_are_counted_as_each_call_declares_them_and_a_call_that_declares_none_is_refused(
    counters, cases, letter_covering_many
):
    _, raw = licence_with_key(cases, tokens=100)

    undeclared = ask(raw)
    malformed = ask(raw, **{"X-Token-Estimate": "lots"})
    first = ask(raw, **{"X-Token-Estimate": "60"})
    too_many = ask(raw, **{"X-Token-Estimate": "50"})
    rest = ask(raw, **{"X-Token-Estimate": "40"})

    assert (undeclared.status_code, problem(undeclared)) == (403, "token_estimate_required")
    assert (malformed.status_code, problem(malformed)) == (403, "token_estimate_required")
    assert (first.status_code, first["X-ExportDesk-Tokens-Left"]) == (200, "40")
    assert (too_many.status_code, problem(too_many)) == (403, "allowance_used")
    assert "40 tokens left; this call declares 50" in json.loads(too_many.content)["detail"]
    assert (rest.status_code, rest["X-ExportDesk-Tokens-Left"]) == (200, "0")


def test_a_licence_that_is_not_metered_never_asks_redis(settings, cases, letter_covering_many):
    settings.GATEWAY_METERING_URL = f"redis://127.0.0.1:{free_port()}/0"
    _, raw = licence_with_key(cases)

    response = ask(raw)

    assert response.status_code == 200
    assert "X-ExportDesk-Calls-Left" not in response


def in_threads(work, count, *, workers=16):
    """Run work() `count` times in threads started together; each thread's database connection is closed after."""
    start = threading.Barrier(min(workers, count))

    def one(_):
        try:
            try:
                start.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(count)))


def test_calls_made_together_never_count_past_the_limit(counters, cases, letter_covering_many, transactional_db):
    licence, _ = licence_with_key(cases, calls=25)

    answers = in_threads(lambda: count_call(licence, declared_tokens=None), 60)

    allowed = [a for a in answers if a.refusal is None]
    assert len(allowed) == 25
    assert {a.refusal[1] for a in answers if a.refusal is not None} == {"allowance_used"}
    assert sorted(int(a.headers["X-ExportDesk-Calls-Left"]) for a in allowed) == list(range(25))
    assert int(counters.hget(counter_key(licence.pk), "calls")) == 25


def test_tokens_declared_together_never_count_past_the_limit(counters, cases, letter_covering_many, transactional_db):
    licence, _ = licence_with_key(cases, tokens=1000)

    answers = in_threads(lambda: count_call(licence, declared_tokens="30"), 50)

    # 33 calls of 30 tokens fit in 1,000; the 34th would need 1,020.
    assert len([a for a in answers if a.refusal is None]) == 33
    assert int(counters.hget(counter_key(licence.pk), "tokens")) == 990


@pytest.mark.parametrize("metering", ["down", "unset"])
def test_with_redis_down_or_not_configured_a_metered_licence_is_refused_at_once_and_an_unmetered_one_is_not(
    metering, settings, cases, letter_covering_many
):
    settings.GATEWAY_METERING_URL = f"redis://127.0.0.1:{free_port()}/0" if metering == "down" else ""
    _, metered_key = licence_with_key(cases, calls=100)
    _, unmetered_key = licence_with_key(cases)

    started = time.monotonic()
    refused = ask(metered_key)
    took = time.monotonic() - started

    assert (refused.status_code, problem(refused)) == (503, "metering_unavailable")
    assert "Metering is unavailable" in json.loads(refused.content)["detail"]
    assert took < 1.0
    assert ask(unmetered_key).status_code == 200


def test_a_redis_that_accepts_but_never_answers_refuses_a_metered_call_within_the_timeout(
    settings, cases, letter_covering_many
):
    frozen = socket.socket()
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(16)
    settings.GATEWAY_METERING_URL = f"redis://127.0.0.1:{frozen.getsockname()[1]}/0"
    settings.GATEWAY_METERING_TIMEOUT_MS = 100
    _, raw = licence_with_key(cases, calls=100)
    try:
        started = time.monotonic()
        refused = ask(raw)
        took = time.monotonic() - started
    finally:
        frozen.close()

    assert (refused.status_code, problem(refused)) == (503, "metering_unavailable")
    # The timeout, the decision and the refusal: well under the gateway's 2 s.
    assert took < 1.0


def test_a_lost_counter_starts_again_from_everything_granted_so_never_hands_out_used_calls_again(
    counters, cases, letter_covering_many
):
    licence, raw = licence_with_key(cases, calls=100)
    for _ in range(7):
        assert ask(raw).status_code == 200
    granted = MeteredUsage.objects.get(licence=licence).calls_granted
    assert 7 <= granted < 100

    counters.delete(counter_key(licence.pk))
    after_loss = ask(raw)

    # Every call granted before the loss is presumed used: what is left never grows back.
    assert after_loss.status_code == 200
    assert int(after_loss["X-ExportDesk-Calls-Left"]) == 100 - granted - 1 <= 100 - 7 - 1


def test_reconciling_copies_the_counts_into_postgresql_and_again_changes_nothing(
    counters, cases, letter_covering_many, client, officer
):
    licence, raw = licence_with_key(cases, calls=100, tokens=10_000)
    for _ in range(7):
        assert ask(raw, **{"X-Token-Estimate": "11"}).status_code == 200

    first = reconcile_task.delay().get()
    again = reconcile_metered_usage()

    usage = MeteredUsage.objects.get(licence=licence)
    assert (first, again) == (1, 0)
    assert (usage.calls, usage.tokens) == (7, 77)
    assert usage.reconciled_at is not None
    client.force_login(officer)
    page = client.get(reverse("licence_detail", args=[licence.pk])).content.decode()
    assert "7 counted of 100 authorised at the gateway" in page
    assert "77 counted of 10000 authorised at the gateway" in page


def test_reconciling_never_moves_a_count_back_when_redis_lost_it(counters, cases, letter_covering_many):
    licence, raw = licence_with_key(cases, calls=100)
    for _ in range(3):
        ask(raw)
    reconcile_metered_usage()
    counters.delete(counter_key(licence.pk))

    assert reconcile_metered_usage() == 0
    assert MeteredUsage.objects.get(licence=licence).calls == 3


def test_reconciling_with_redis_down_fails_and_changes_nothing(settings, counters, cases, letter_covering_many):
    licence, raw = licence_with_key(cases, calls=100)
    ask(raw)
    settings.GATEWAY_METERING_URL = f"redis://127.0.0.1:{free_port()}/0"

    with pytest.raises(redis.exceptions.ConnectionError):
        reconcile_metered_usage()

    assert MeteredUsage.objects.get(licence=licence).calls == 0


def test_an_allowance_counted_in_full_is_said_once_to_the_officers_and_to_billing(
    counters, cases, letter_covering_many, client, officer
):
    from licensing.api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
    from licensing.audit.models import Event
    from licensing.audit.verbs import Verb

    WebhookSubscription.objects.create(
        url="https://billing.example.com/hooks", events=[WebhookEvent.LICENCE_ALLOWANCE_USED_UP], secret="s" * 40
    )
    licence, raw = licence_with_key(cases, calls=3)
    other, other_raw = licence_with_key(cases, calls=100)
    for _ in range(3):
        assert ask(raw).status_code == 200
    assert ask(other_raw).status_code == 200

    reconcile_metered_usage()
    reconcile_metered_usage()

    said = Event.objects.filter(verb=Verb.LICENCE_ALLOWANCE_USED_UP)
    assert [event.target_id for event in said] == [str(licence.pk)]
    assert said.get().after["calls"] == said.get().after["authorised_calls"] == 3
    assert MeteredUsage.objects.get(licence=other).used_up_at is None
    deliveries = WebhookDelivery.objects.filter(event_type=WebhookEvent.LICENCE_ALLOWANCE_USED_UP)
    assert deliveries.count() == 1
    assert json.loads(deliveries.get().body)["data"]["licence"]["number"] == licence.number
    client.force_login(officer)
    page = client.get(reverse("licence_detail", args=[licence.pk])).content.decode()
    assert "All used" in page and "3 counted of 3 authorised at the gateway" in page
