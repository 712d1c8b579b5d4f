"""Which URLs a webhook may be sent to."""

from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def destination_problem(url: str) -> str | None:
    """Return why `url` cannot receive webhooks, or None when it can."""
    try:
        parts = urlsplit(url or "")
        host = parts.hostname or ""
    except ValueError:
        return "Give a valid URL."
    if parts.scheme == "https" and host:
        return None
    # Signed bodies still travel in the clear over HTTP, so it is allowed only
    # to a receiver on this machine (development and tests).
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return None
    return "Use an https:// URL (http:// is accepted only for 127.0.0.1 or localhost)."
