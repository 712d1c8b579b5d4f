"""Which URLs a webhook may be sent to, and which addresses a delivery may reach.

A subscription's URL is checked when it is saved (an address written in it,
in any spelling, or a name that always means this machine) and again at each
delivery, after its host name is resolved: every address the name resolves
to must be public, and the delivery connects to one of those very addresses,
so a name that points inside, or is repointed there after the check (DNS
rebinding), cannot make the product post to its own network: the cloud's
metadata service, the database, a router's admin page.

Hosts named in WEBHOOK_ALLOWED_PRIVATE_HOSTS are exempt: a receiver on this
machine or the private network, placed there on purpose.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# 64:ff9b::/96 carries an IPv4 address for a NAT64 gateway to reach (RFC 6052).
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
ALLOW_SETTING = "WEBHOOK_ALLOWED_PRIVATE_HOSTS"


class DestinationRefused(Exception):
    """A delivery's destination is inside: sending is refused, and trying again would not change that."""


@dataclass(frozen=True)
class Destination:
    """Where one delivery goes: the URL's parts, and the checked addresses to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    # (family, sockaddr) pairs as getaddrinfo gave them, every one checked.
    addresses: tuple[tuple[int, tuple], ...]


def destination_problem(url: str) -> str | None:
    """Return why `url` cannot receive webhooks, or None when it can."""
    try:
        parts = urlsplit(url or "")
        host = _normal_host(parts.hostname or "")
        parts.port  # noqa: B018 - a malformed port raises here, not at send time
    except ValueError:
        return "Give a valid URL."
    if parts.scheme not in ("http", "https") or not host:
        return "Give an https:// URL."
    allowed = is_allowed_private_host(host)
    if not allowed:
        problem = _host_problem(host)
        if problem:
            return f"{problem}; {_ONLY_PUBLIC}"
    # Signed bodies still travel in the clear over HTTP, so it is allowed only
    # to a receiver on this machine that is explicitly allowed.
    if parts.scheme == "http" and not (allowed and _means_this_machine(host)):
        return f"Use an https:// URL (http:// is accepted only for this machine, named in {ALLOW_SETTING})."
    return None


def resolve_destination(url: str) -> Destination:
    """Resolve a subscription's URL for one delivery, refusing it if any address it reaches is not public.

    Raises DestinationRefused when the destination is inside, and OSError
    when the name cannot be resolved now (worth trying again later).
    """
    problem = destination_problem(url)
    if problem:
        raise DestinationRefused(problem)
    parts = urlsplit(url)
    host = _normal_host(parts.hostname or "")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = tuple(dict.fromkeys((family, sockaddr) for family, _, _, _, sockaddr in found))
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    if parts.scheme == "http":
        for _, sockaddr in addresses:
            if not _means_this_machine(str(sockaddr[0])):
                raise DestinationRefused(f"{host} resolves to {sockaddr[0]}; http:// is sent only to this machine")
    if not is_allowed_private_host(host):
        for _, sockaddr in addresses:
            problem = address_problem(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]))
            if problem:
                raise DestinationRefused(f"{host} resolves to {sockaddr[0]}, {problem}; {_ONLY_PUBLIC}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Destination(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


def is_allowed_private_host(host: str) -> bool:
    return _normal_host(host) in {_normal_host(name) for name in settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS}


def address_problem(address: Address) -> str | None:
    """Say what kind of internal address `address` is, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address carried inside an IPv6 one reaches that IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour
        if address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            problem = address_problem(embedded)
            if problem:
                return f"{problem} ({embedded})"
            if address.ipv4_mapped or address in NAT64_PREFIX:
                # Only another way to write a public IPv4 address.
                return None
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved or getattr(address, "is_site_local", False):
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


_ONLY_PUBLIC = f"webhooks are sent only to public addresses unless the host is named in {ALLOW_SETTING}"


def _normal_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _host_problem(host: str) -> str | None:
    address = literal_address(host)
    if address is None:
        return f"{host} always means this machine" if _is_localhost_name(host) else None
    problem = address_problem(address)
    return f"{host} is {problem}" if problem else None


def _is_localhost_name(host: str) -> bool:
    # RFC 6761: localhost and every name under it resolve to the loopback address.
    return host == "localhost" or host.endswith(".localhost")


def _means_this_machine(host: str) -> bool:
    address = literal_address(host)
    if address is None:
        return _is_localhost_name(host)
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def literal_address(host: str) -> Address | None:
    """The address a URL's host spells out, in any form a resolver accepts (127.1, 0x7f.1, 2130706433), or None."""
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return _legacy_ipv4(host)


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    # The forms inet_aton and browsers accept (the WHATWG URL standard's IPv4
    # parser): one to four parts, each decimal, octal (leading 0) or hex (0x),
    # the last filling the remaining bytes.
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    base = 10
    if part[:2] in ("0x", "0X"):
        part, base = part[2:] or "0", 16
    elif len(part) > 1 and part.startswith("0"):
        part, base = part[1:], 8
    digits = "0123456789abcdef"[:base]
    if not part or any(c not in digits for c in part.lower()):
        return None
    return int(part, base)
