"""The signature on every webhook: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret.

The timestamp is signed with the body so a captured delivery cannot be
replayed later: receivers reject timestamps more than a few minutes old.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-ExportDesk-Signature"
TIMESTAMP_HEADER = "X-ExportDesk-Timestamp"
EVENT_HEADER = "X-ExportDesk-Event"
DELIVERY_HEADER = "X-ExportDesk-Delivery"
SCHEME = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value for a body sent at `timestamp` (Unix seconds)."""
    message = str(int(timestamp)).encode() + b"." + body
    return SCHEME + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Check a received delivery the way a receiver should: fresh timestamp, matching signature."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent_at) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=sent_at, body=body)
    return hmac.compare_digest(expected, signature or "")
