"""The gateway's question answered ahead of the middleware: the same view, the same answers, for the same paths."""

import io

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve

from licensing.api.gateway_handler import GatewayFirstHandler, gateway_route
from licensing.api.views.gateway_authorize import authorize


@pytest.mark.parametrize(
    "path_info",
    [
        "/api/v1/gateway/authorize/v1/models/frontier-1/chat/completions",
        "/api/v1/gateway/authorize/v1/models/frontier-1:generate",
        "/api/v1/gateway/authorize/",
        "/api/v1/gateway/authorize//v1/models/frontier-1",
    ],
)
def test_a_gateway_path_names_the_route_the_url_configuration_would(path_info):
    match = resolve(path_info)
    assert match.func is authorize
    assert gateway_route(path_info) == match.kwargs["path"]


@pytest.mark.parametrize(
    "path_info",
    [
        "/api/v1/gateway/authorize",
        "/api/v1/gateway/authorizev1/models/frontier-1",
        "/api/v1/gateway/authorize/v1/models/frontier-1\n",
        "/api/v1/customers/",
        "/healthz",
    ],
)
def test_any_other_path_is_left_to_django(path_info):
    assert gateway_route(path_info) is None


def _environ(path: str, **headers: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }


def _served(environ: dict) -> tuple[str, dict[str, str], bytes]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    # As Django's test client does: the request signals would close the test's connection, inside its transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = GatewayFirstHandler()(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
def test_an_unknown_key_is_refused_by_the_handler_as_by_django(client, settings):
    settings.GATEWAY_ROUTES = ["/v1/models/frontier-1=frontier-1"]
    path = "/api/v1/gateway/authorize/v1/models/frontier-1/chat"
    status, headers, body = _served(_environ(path, Authorization="Bearer exm_not-a-key"))
    through_django = client.get(path, HTTP_AUTHORIZATION="Bearer exm_not-a-key")
    assert status.startswith("403 ")
    assert headers["X-ExportDesk-Decision"] == through_django["X-ExportDesk-Decision"] == "unknown_key"
    assert body == through_django.content


@pytest.mark.django_db
def test_other_paths_still_pass_through_the_middleware(settings):
    status, headers, _ = _served(_environ("/healthz"))
    assert status.startswith("200 ")
    # Set by the security middleware, which the gateway's path skips.
    assert "X-Content-Type-Options" in headers
