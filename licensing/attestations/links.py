"""The attestation link: a signed, single-purpose value carrying the attestation's id and a random secret.

The signature (Django's signing, keyed by SECRET_KEY and salted with the
purpose) catches a tampered or made-up link before the database is asked; the
secret, kept only as its SHA-256, ties the link to the one attestation it was
sent for, so a reminder that replaces the secret retires the old link.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

DEFAULT_LINK_DAYS = 21


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "ATTESTATION_LINK_DAYS", DEFAULT_LINK_DAYS)))


def _salt(purpose: str) -> str:
    return f"licensing.attestations.link:{purpose}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def sign_link(*, attestation_id: int, secret: str, purpose: str) -> str:
    """The value put in the e-mailed address."""
    return signing.dumps({"a": attestation_id, "s": secret}, salt=_salt(purpose), compress=False)


@dataclass(frozen=True)
class LinkValue:
    attestation_id: int
    secret: str

    def matches(self, token_hash: str) -> bool:
        return hmac.compare_digest(hash_secret(self.secret), token_hash)


class BadLink(Exception):
    """The value was not signed by us for this purpose (tampered, truncated, made up)."""


class LinkTooOld(Exception):
    """The signature is ours but older than any link lives."""


def read_link(value: str, *, purpose: str) -> LinkValue:
    """Check the signature and age of a link value and return what it carries."""
    try:
        data = signing.loads(value, salt=_salt(purpose), max_age=link_lifetime())
    except signing.SignatureExpired:
        raise LinkTooOld() from None
    except signing.BadSignature:
        raise BadLink() from None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("s"), str):
        raise BadLink()
    return LinkValue(data["a"], data["s"])
