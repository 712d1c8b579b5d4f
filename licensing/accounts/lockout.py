"""Account lockout: repeated failed sign-ins lock a username, and an address, for a while, on every sign-in form.

A username is locked after LOGIN_FAILURE_LIMIT failures from anywhere, an
address after LOGIN_ADDRESS_FAILURE_LIMIT failures for any usernames. Anyone
who knows a username can therefore lock its password path; the real user is
let back in by the single-use link e-mailed to them when the lock starts
(licensing/accounts/sign_in_links.py), which the lock does not apply to, or
by an administrator.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction

from licensing.audit.services import record_event

from . import throttle
from .models import LoginFailure, ThrottleScope
from .sign_in_links import send_sign_in_link
from .throttle import username_key

logger = logging.getLogger(__name__)

LOCKED_MESSAGE = (
    "Too many failed sign-ins for this username or from your address: password sign-in is paused for "
    "{minutes} minutes. If the account is yours, the link e-mailed to its address when it was locked lets you in now."
)


def client_address(request) -> str | None:
    """The address a request came from, past the TRUSTED_PROXY_COUNT proxies in front of the web processes."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        # Each trusted proxy appends the address it was reached from; anything
        # further left was written by the client and may be forged.
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:150]
    return request.META.get("REMOTE_ADDR") or None


def is_locked(username: str) -> bool:
    return throttle.is_locked(scope=ThrottleScope.USERNAME, key=username_key(username))


def _take_slots(username: str, address: str | None) -> tuple[throttle.Attempt | None, throttle.Attempt]:
    """Count an attempt against the address, then the username; raise PermissionDenied if either is locked."""
    by_address = None
    if address:
        by_address = throttle.take_slot(
            scope=ThrottleScope.ADDRESS, key=address, limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT
        )
        if not by_address.allowed:
            raise PermissionDenied(f"{address} is locked after repeated failed sign-ins")
    by_username = throttle.take_slot(
        scope=ThrottleScope.USERNAME, key=username_key(username), limit=settings.LOGIN_FAILURE_LIMIT
    )
    if not by_username.allowed:
        # No password was tried, so the address has not failed.
        if by_address is not None:
            throttle.forgive(by_address)
        raise PermissionDenied(f"{username} is locked after repeated failed sign-ins")
    return by_address, by_username


def _tell_locked(request) -> None:
    if request is not None and hasattr(request, "_messages"):
        messages.error(request, LOCKED_MESSAGE.format(minutes=settings.LOGIN_LOCKOUT_MINUTES), fail_silently=True)


def _lock_started(username: str, request, attempt: throttle.Attempt) -> None:
    """Record the lock of a real account and e-mail its owner the way back in."""
    user = get_user_model().objects.filter(username__iexact=username_key(username), is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        record_event(
            actor=None,
            verb="user.sign_in_locked",
            target=user,
            after={"address": client_address(request), "locked_until": attempt.locked_until},
            reason=f"{settings.LOGIN_FAILURE_LIMIT} failed sign-ins within {settings.LOGIN_LOCKOUT_MINUTES} minutes.",
        )
    send_sign_in_link(user=user)


def unlock_sign_in(*, user, actor) -> None:
    """Lift every lock on a user's sign-in (password and second factor) and forget their failures."""
    with transaction.atomic():
        throttle.clear(scope=ThrottleScope.USERNAME, key=username_key(user.get_username()))
        throttle.clear(scope=ThrottleScope.SECOND_FACTOR, key=str(user.pk))
        LoginFailure.objects.filter(username__iexact=user.get_username()).delete()
        record_event(actor=actor, verb="user.sign_in_unlocked", target=user, reason="Unlocked by an administrator.")


def unlock_throttle(*, locked, actor) -> None:
    """Lift one lock (an address's, say) and forget the failures counted against it."""
    with transaction.atomic():
        throttle.clear(scope=locked.scope, key=locked.key)
        record_event(actor=actor, verb="throttle.unlocked", target=locked, reason="Unlocked by an administrator.")


class LockoutModelBackend(ModelBackend):
    """The usual username and password check, refused outright while the username or the address is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get(get_user_model().USERNAME_FIELD) or ""
        if not username or password is None:
            return None
        address = client_address(request)
        try:
            by_address, by_username = _take_slots(username, address)
        except PermissionDenied:
            _tell_locked(request)
            # PermissionDenied stops Django trying any other backend.
            raise
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username[:150], ip_address=_as_ip(address))
            if by_username.locked_it:
                _lock_started(username, request, by_username)
            return None
        throttle.clear(scope=ThrottleScope.USERNAME, key=username_key(username))
        if by_address is not None:
            throttle.forgive(by_address)
        LoginFailure.objects.filter(username__iexact=username).delete()
        return user


def _as_ip(address: str | None) -> str | None:
    # A forwarded address is whatever the proxy wrote; the failure log keeps only a real one.
    if not address:
        return None
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address
