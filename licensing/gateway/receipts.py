"""Receipts the model service logs: ExportDesk's signature over the decision, its stamp and the time."""

import hashlib
import hmac

from django.conf import settings


def receipt_message(*, decision: str, stamp: str, at: str) -> bytes:
    return f"{decision}|{stamp}|{at}".encode()


def sign_receipt(*, decision: str, stamp: str, at: str) -> str:
    """Sign (decision, stamp, time) with GATEWAY_RECEIPT_KEY; HMAC-SHA256, hex."""
    message = receipt_message(decision=decision, stamp=stamp, at=at)
    return hmac.new(settings.GATEWAY_RECEIPT_KEY.encode(), message, hashlib.sha256).hexdigest()


def receipt_is_genuine(*, decision: str, stamp: str, at: str, receipt: str) -> bool:
    """Whether `receipt` is ExportDesk's signature of these values (for whoever audits the model service's log)."""
    return hmac.compare_digest(sign_receipt(decision=decision, stamp=stamp, at=at), receipt)
