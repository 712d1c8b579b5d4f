"""Reading the attestation link out of the e-mails sent in a test."""

import re

from django.core import mail

LINK = re.compile(r"https?://[^/\s]+(/attest/[^\s]+/)")


def link_in(message) -> str:
    """The path of the attestation link in an e-mail."""
    return LINK.search(message.body).group(1)


def last_link() -> str:
    return link_in(mail.outbox[-1])
