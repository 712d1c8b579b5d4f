"""Which controlled item a model route serves, from GATEWAY_ROUTES ("/v1/models/frontier-1=frontier-1,...")."""

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def parsed_routes(entries: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """The (path prefix, item code) pairs of GATEWAY_ROUTES, longest prefix first."""
    routes = []
    for entry in entries:
        prefix, sep, item = entry.partition("=")
        prefix, item = prefix.strip().rstrip("/"), item.strip()
        if not sep or not prefix.startswith("/") or not item:
            raise ImproperlyConfigured(f"GATEWAY_ROUTES entry {entry!r} must read /path/prefix=item-code")
        routes.append((prefix, item))
    return sorted(routes, key=lambda route: len(route[0]), reverse=True)


# Asked on every model call: the setting is parsed once per value, not each time.
@functools.cache
def _routes(entries: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(parsed_routes(entries))


def item_for_path(path: str) -> str | None:
    """The item code the route serves, or None when no configured prefix covers the path (refused)."""
    path = path.split("?", 1)[0]
    # A path that climbs out of its prefix could reach another model than the one its prefix names.
    if any(segment in (".", "..") for segment in path.split("/")) or "//" in path or "%" in path:
        return None
    for prefix, item in _routes(tuple(settings.GATEWAY_ROUTES)):
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + ":"):
            return item
    return None
