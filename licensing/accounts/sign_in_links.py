"""The way back in for a locked-out user: a single-use, expiring link e-mailed to their own address.

Following the link still asks for the password (and the second factor after
it), but not through the lock: whoever keeps a username locked by guessing
cannot read its owner's mail, so cannot stop the owner using it. The link
allows LOGIN_FAILURE_LIMIT wrong passwords of its own and is spent by the
first right one.
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from licensing.audit.services import record_event

from .models import SignInLink

logger = logging.getLogger(__name__)


class LinkRefused(Exception):
    """The link is unknown, used, expired or out of tries; the message says which, for the person holding it."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_sign_in_link(*, user) -> str:
    """Create a link for the user and return its token (kept nowhere but in what is sent)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    SignInLink.objects.create(
        user=user,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=settings.LOGIN_LINK_MINUTES),
    )
    return token


def send_sign_in_link(*, user) -> bool:
    """E-mail a new link to the user's own address; False when there is no address or the mail could not be sent."""
    if not user.email:
        logger.warning("user %s is locked out and has no e-mail address for a sign-in link", user.pk)
        return False
    token = issue_sign_in_link(user=user)
    address = settings.EXPORTDESK_BASE_URL.rstrip("/") + reverse("sign_in_link", args=[token])
    context = {
        "user": user,
        "link": address,
        "link_minutes": settings.LOGIN_LINK_MINUTES,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    try:
        send_mail(
            subject="ExportDesk: your account was locked after failed sign-ins",
            message=render_to_string("accounts/sign_in_link_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:
        # The lock holds whether or not the mail goes; an administrator can still unlock.
        logger.exception("could not send a sign-in link to user %s", user.pk)
        return False
    return True


def usable_link(token: str) -> SignInLink:
    """The link a token names, if it can still be used; LinkRefused otherwise."""
    link = SignInLink.objects.select_related("user").filter(token_hash=_hash(token or "")).first()
    if link is None or not link.user.is_active:
        raise LinkRefused("This link is not valid. Ask an administrator to unlock your account.")
    if link.used_at is not None:
        raise LinkRefused("This link has already been used; each link signs in once.")
    if link.expires_at <= timezone.now():
        raise LinkRefused("This link has expired. Ask an administrator to unlock your account.")
    if link.wrong_passwords >= settings.LOGIN_FAILURE_LIMIT:
        raise LinkRefused("This link has had too many wrong passwords and can no longer be used.")
    return link


def redeem_sign_in_link(*, token: str, password: str):
    """Return the link's user when the password is right, spending the link; LinkRefused otherwise."""
    link = usable_link(token)
    now = timezone.now()
    # Take a try before checking the password, in one UPDATE, so parallel posts cannot exceed the limit.
    tried = SignInLink.objects.usable(now).filter(pk=link.pk, wrong_passwords__lt=settings.LOGIN_FAILURE_LIMIT)
    if not tried.update(wrong_passwords=F("wrong_passwords") + 1):
        raise LinkRefused("This link can no longer be used.")
    user = link.user
    if not user.check_password(password or ""):
        return None
    with transaction.atomic():
        # Only one request can move used_at from empty: a link signs in once.
        if (
            not SignInLink.objects.usable(now)
            .filter(pk=link.pk)
            .update(used_at=now, wrong_passwords=F("wrong_passwords") - 1)
        ):
            raise LinkRefused("This link has already been used; each link signs in once.")
        # The password path stays locked: whoever locked it may still be guessing,
        # and lifting the lock would hand them a fresh set of tries.
        record_event(actor=user, verb="user.signed_in_by_link", target=user, reason="Signed in past a lockout.")
    return user
