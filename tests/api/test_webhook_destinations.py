"""Webhooks never reach inside: internal URLs are refused when subscribed, and internal addresses when sent."""

import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from licensing.api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from licensing.api.webhooks.publishing import publish
from licensing.api.webhooks.sending import Outcome, attempt_delivery
from licensing.api.webhooks.subscriptions import create_subscription, update_subscription

from .webhook_receiver import start_receiver

SECRET = "whsec_0123456789abcdefghijklmnopqrstuvwxyz"

INTERNAL_URLS = {
    "cloud metadata (link-local)": "https://169.254.169.254/latest/meta-data/",
    "the database on localhost": "http://localhost:5432/",
    "a name under localhost": "https://billing.localhost/hooks",
    "IPv4 loopback": "https://127.0.0.1/hooks",
    "IPv4 loopback, decimal": "https://2130706433/hooks",
    "IPv4 loopback, octal": "https://0177.0.0.1/hooks",
    "IPv4 loopback, hex and short": "https://0x7f.1/hooks",
    "IPv6 loopback": "https://[::1]/hooks",
    "IPv4-mapped IPv6 loopback": "https://[::ffff:127.0.0.1]/hooks",
    "private 10/8": "https://10.0.0.5/hooks",
    "private 172.16/12": "https://172.16.8.1/hooks",
    "private 192.168/16": "https://192.168.1.1/hooks",
    "IPv6 unique local": "https://[fd12:3456::1]/hooks",
    "IPv6 link-local": "https://[fe80::1]/hooks",
    "multicast": "https://224.0.0.251/hooks",
    "IPv6 multicast": "https://[ff02::1]/hooks",
    "unspecified": "https://0.0.0.0/hooks",
    "IPv6 unspecified": "https://[::]/hooks",
    "reserved 240/4": "https://240.0.0.1/hooks",
    "carrier-grade NAT": "https://100.64.0.1/hooks",
}


@pytest.fixture
def no_private_hosts_allowed(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = []


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def resolve_as(monkeypatch):
    """Answer name lookups for the given names with the given addresses; count each lookup."""
    real_getaddrinfo = socket.getaddrinfo
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in addresses
        ]

    def resolve(host: str, *successive: list[str]):
        answers[host] = list(successive)
        return lookups

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return resolve


def held_event_for(subscription_url: str, *, name="billing") -> WebhookDelivery:
    subscription = create_subscription(
        actor=None, name=name, url=subscription_url, events=[WebhookEvent.CUSTOMER_HELD], secret=SECRET
    )
    [delivery] = publish(WebhookEvent.CUSTOMER_HELD, lambda: {"customer": {"external_id": "C-1"}})
    assert delivery.subscription == subscription
    return delivery


@pytest.mark.parametrize("url", INTERNAL_URLS.values(), ids=INTERNAL_URLS.keys())
def test_a_subscription_to_an_internal_address_is_refused_naming_the_url(
    integration_admin, no_private_hosts_allowed, url
):
    response = integration_admin.post(
        "/api/v1/webhooks", {"name": "billing", "url": url, "events": ["licence.issued"]}, format="json"
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {error["field"] for error in errors} == {"url"}
    assert any("only to public addresses" in error["message"] for error in errors)
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", INTERNAL_URLS.values(), ids=INTERNAL_URLS.keys())
def test_the_subscription_service_refuses_an_internal_address_whoever_calls_it(no_private_hosts_allowed, db, url):
    with pytest.raises(ValidationError) as refused:
        create_subscription(actor=None, name="billing", url=url, events=["licence.issued"], secret=SECRET)

    assert any("only to public addresses" in message for message in refused.value.message_dict["url"])
    assert not WebhookSubscription.objects.exists()


def test_a_subscription_to_a_public_address_or_name_is_accepted(integration_admin, no_private_hosts_allowed):
    for number, url in enumerate(
        ["https://203.0.114.7/hooks", "https://[2606:4700::1111]/", "https://billing.example"]
    ):
        response = integration_admin.post(
            "/api/v1/webhooks", {"name": f"b{number}", "url": url, "events": ["licence.issued"]}, format="json"
        )

        assert response.status_code == 201, response.json()


def test_a_subscription_cannot_be_moved_to_an_internal_address(integration_admin, no_private_hosts_allowed):
    created = integration_admin.post(
        "/api/v1/webhooks",
        {"name": "b", "url": "https://billing.example/h", "events": ["licence.issued"]},
        format="json",
    )

    moved = integration_admin.patch(
        f"/api/v1/webhooks/{created.json()['id']}", {"url": "https://169.254.169.254/"}, format="json"
    )

    assert moved.status_code == 422
    assert moved.json()["errors"][0]["field"] == "url"
    assert WebhookSubscription.objects.get().url == "https://billing.example/h"


def test_the_admin_refuses_an_internal_address_on_the_url_field(admin_user, no_private_hosts_allowed):
    client = APIClient()
    client.force_login(admin_user)

    page = client.post(
        "/admin/api/webhooksubscription/add/",
        {"name": "billing", "url": "https://169.254.169.254/", "events": ["licence.issued"], "secret": SECRET},
    )

    assert page.status_code == 200
    assert "url" in page.context["adminform"].form.errors
    assert "link-local" in str(page.context["adminform"].form.errors["url"])
    assert not WebhookSubscription.objects.exists()


def test_a_host_named_in_the_setting_may_be_subscribed(settings, db):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["billing.internal", "127.0.0.1"]

    create_subscription(actor=None, name="lan", url="https://billing.internal/hooks", events=["licence.issued"])
    create_subscription(actor=None, name="here", url="http://127.0.0.1:8080/hooks", events=["licence.issued"])

    assert WebhookSubscription.objects.count() == 2


def test_http_is_refused_even_for_an_allowed_host_that_is_not_this_machine(settings, db):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["billing.internal"]

    with pytest.raises(ValidationError) as refused:
        create_subscription(actor=None, name="lan", url="http://billing.internal/hooks", events=["licence.issued"])

    assert "https://" in refused.value.message_dict["url"][0]


def test_a_name_that_resolves_to_loopback_is_refused_at_send_time_and_not_retried(
    no_private_hosts_allowed, db, resolve_as
):
    resolve_as("billing.example", ["127.0.0.1"])
    delivery = held_event_for("https://billing.example/hooks")

    outcome = attempt_delivery(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert outcome == Outcome.GAVE_UP
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 1)
    assert "billing.example resolves to 127.0.0.1, a loopback address" in delivery.last_error
    assert "127.0.0.1" in delivery.attempt_log.get().error
    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.SKIPPED


@pytest.mark.parametrize(
    "addresses",
    [["203.0.113.9", "10.0.0.7"], ["2606:4700::1111", "::ffff:169.254.169.254"], ["fe80::1"]],
    ids=["one private among public", "ipv4-mapped link-local", "ipv6 link-local"],
)
def test_every_address_a_name_resolves_to_is_checked(no_private_hosts_allowed, db, resolve_as, addresses):
    resolve_as("billing.example", addresses)
    delivery = held_event_for("https://billing.example/hooks")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.GAVE_UP

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "resolves to" in delivery.last_error


def test_a_subscription_stored_before_the_rules_is_refused_at_send_time(no_private_hosts_allowed, db):
    delivery = held_event_for("https://billing.example/hooks")
    # Written past validation, as a URL saved under older rules would be.
    WebhookSubscription.objects.update(url="https://169.254.169.254/latest/meta-data/")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.GAVE_UP

    delivery.refresh_from_db()
    assert "169.254.169.254 is a link-local address" in delivery.last_error


def test_a_name_that_does_not_resolve_now_is_tried_again_later(no_private_hosts_allowed, db, monkeypatch):
    def unresolvable(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    delivery = held_event_for("https://billing.example/hooks")
    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.RETRY

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert "Could not resolve" in delivery.last_error


def test_an_allowed_host_is_delivered_to_at_the_address_it_was_checked_at(settings, db, receiver, resolve_as):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["hooks.localhost"]
    port = receiver.url.split(":")[2].split("/")[0]
    # A second lookup would get an address that answers nothing (DNS rebinding, in reverse).
    lookups = resolve_as("hooks.localhost", ["127.0.0.1"], ["192.0.2.1"])
    delivery = held_event_for(f"http://hooks.localhost:{port}/hooks")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.DELIVERED

    [received] = receiver.received
    assert received.headers["host"] == f"hooks.localhost:{port}"
    assert lookups == ["hooks.localhost"]


def test_plain_http_to_an_allowed_name_is_refused_when_it_resolves_off_this_machine(settings, db, resolve_as):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["hooks.localhost"]
    resolve_as("hooks.localhost", ["10.0.0.8"])
    delivery = held_event_for("http://hooks.localhost:8080/hooks")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.GAVE_UP

    delivery.refresh_from_db()
    assert "http://" in delivery.last_error


def test_an_allowed_host_does_not_allow_another(settings, db, receiver, resolve_as):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["hooks.billing.test"]
    resolve_as("other.billing.test", ["127.0.0.1"])
    delivery = held_event_for("https://other.billing.test/hooks")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.GAVE_UP

    assert receiver.received == []


def test_a_subscription_changed_to_an_allowed_host_is_saved(settings, db):
    subscription = create_subscription(
        actor=None, name="b", url="https://billing.example/h", events=["licence.issued"], secret=SECRET
    )
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["billing.internal"]

    changed = update_subscription(actor=None, subscription=subscription, url="https://billing.internal/h")

    assert changed.url == "https://billing.internal/h"


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 whose certificate names billing.internal, trusted as a CA would be."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=billing.internal"]
        + ["-addext", "subjectAltName=DNS:billing.internal", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    # Read by OpenSSL when a client loads the default trust store.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def test_https_to_an_allowed_host_is_verified_against_its_name_and_delivered(settings, db, resolve_as, tls_receiver):
    port, received = tls_receiver
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["billing.internal"]
    resolve_as("billing.internal", ["127.0.0.1"])
    delivery = held_event_for(f"https://billing.internal:{port}/hooks")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.DELIVERED

    assert len(received) == 1


def test_https_fails_when_the_certificate_does_not_name_the_urls_host(settings, db, resolve_as, tls_receiver):
    port, received = tls_receiver
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["other.internal"]
    # The same address as billing.internal: the certificate is checked against the name, not the address.
    resolve_as("other.internal", ["127.0.0.1"])
    delivery = held_event_for(f"https://other.internal:{port}/hooks")

    assert attempt_delivery(delivery_id=delivery.pk) == Outcome.RETRY

    delivery.refresh_from_db()
    assert "certificate" in delivery.last_error.lower()
    assert received == []
