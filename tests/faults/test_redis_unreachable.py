"""Redis unreachable: rate limits count per process, and what truly needs Redis answers 503, never 500."""

import logging

import pytest
from django.test import RequestFactory
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api import throttling
from licensing.api.errors import problem_exception_handler
from licensing.api.tokens import issue_api_token
from licensing.ops.unavailable import ServiceUnavailableMiddleware


class UnreachableRedis:
    """The shared cache as it behaves when Redis is down: every call is refused."""

    def add(self, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    incr = set = add


@pytest.fixture
def limited(db, settings, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"client": "3/min", "anonymous": "3/min"},
    }
    monkeypatch.setattr(throttling, "LOCAL_COUNTERS", throttling._ProcessCounters())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='b', role=ClientRole.BILLING)[1]}")
    return client


def test_requests_are_served_while_the_rate_limit_cache_is_unreachable(limited, monkeypatch, caplog):
    monkeypatch.setattr(throttling._ReadsRateWhenUsed, "cache", UnreachableRedis())

    with caplog.at_level(logging.WARNING, logger="licensing.api.throttling"):
        statuses = [limited.get("/api/v1/customers").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    # Said once, not once per request.
    assert len([r for r in caplog.records if "counting per process" in r.getMessage()]) == 1


def test_the_budget_still_holds_per_process_while_the_cache_is_unreachable(limited, monkeypatch):
    monkeypatch.setattr(throttling._ReadsRateWhenUsed, "cache", UnreachableRedis())

    for _ in range(3):
        assert limited.get("/api/v1/customers").status_code == 200
    refused = limited.get("/api/v1/customers")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1


def test_counting_is_shared_again_once_the_cache_answers(limited, monkeypatch):
    monkeypatch.setattr(throttling._ReadsRateWhenUsed, "cache", UnreachableRedis())
    assert limited.get("/api/v1/customers").status_code == 200
    assert throttling.LOCAL_COUNTERS.degraded
    monkeypatch.undo()
    monkeypatch.setattr(throttling.LOCAL_COUNTERS, "RETRY_AFTER_SECONDS", 0)
    throttling.LOCAL_COUNTERS._retry_at = 0

    assert limited.get("/api/v1/customers").status_code == 200
    assert not throttling.LOCAL_COUNTERS.degraded


@pytest.mark.parametrize(
    "error", [BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379"), RedisConnectionError("refused")]
)
def test_an_api_request_that_needs_redis_answers_503_with_retry_after(rf, error):
    response = problem_exception_handler(error, {"request": rf.get("/api/v1/customers"), "view": None})

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "task queue or the cache" in response.data["detail"]


def test_an_unexpected_error_is_still_a_500(rf):
    response = problem_exception_handler(RuntimeError("bug"), {"request": rf.get("/api/v1/customers"), "view": None})

    assert response.status_code == 500


def test_a_page_that_needs_redis_answers_a_plain_503_page():
    middleware = ServiceUnavailableMiddleware(lambda request: None)

    response = middleware.process_exception(RequestFactory().post("/customers/1/"), BrokerUnreachable("refused"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"briefly unavailable" in response.content


def test_a_page_with_an_ordinary_error_is_left_to_django():
    middleware = ServiceUnavailableMiddleware(lambda request: None)

    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None
