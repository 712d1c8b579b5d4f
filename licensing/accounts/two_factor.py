"""Optional TOTP second factor for staff: once enrolled, a session is not trusted until a code is given.

Codes are guarded like passwords: LOGIN_FAILURE_LIMIT wrong codes lock the
user's verification for LOGIN_LOCKOUT_MINUTES (the right code too), counted
atomically per user whatever the session; and a code is accepted once, so
the same or an earlier time-step is refused afterwards, in any session.
"""

import enum
import hmac

import pyotp
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from licensing.audit.services import record_event

from . import throttle
from .models import ThrottleScope

VERIFIED_SESSION_KEY = "two_factor_verified"
ISSUER = "ExportDesk"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def matching_step(secret: str, code: str) -> int | None:
    """The time-step whose code this is, within one step of now; None if it matches none."""
    code = (code or "").strip()
    if not secret or not code:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    # One step of drift either way covers clocks a little out of true.
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def code_is_valid(secret: str, code: str) -> bool:
    """Whether a code matches a secret now; for a secret not yet enrolled (nothing to replay or lock)."""
    return matching_step(secret, code) is not None


class Verification(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"
    LOCKED = "locked"


REFUSAL_MESSAGES = {
    Verification.WRONG: "That code is not valid now; check your device's clock and try again.",
    Verification.REPLAYED: "That code has been used already; wait for the next one.",
    Verification.LOCKED: "Too many wrong codes: verification is paused for {minutes} minutes.",
}


def refusal_message(result: Verification) -> str:
    return REFUSAL_MESSAGES[result].format(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def verify_code(*, user, code: str) -> Verification:
    """Check an enrolled user's code, counting a wrong one towards the lock and spending a right one."""
    key = str(user.pk)
    attempt = throttle.take_slot(scope=ThrottleScope.SECOND_FACTOR, key=key, limit=settings.LOGIN_FAILURE_LIMIT)
    if not attempt.allowed:
        return Verification.LOCKED
    step = matching_step(user.totp_secret, code)
    if step is None:
        if attempt.locked_it:
            with transaction.atomic():
                record_event(
                    actor=user,
                    verb="user.two_factor_locked",
                    target=user,
                    after={"locked_until": attempt.locked_until},
                    reason=f"{settings.LOGIN_FAILURE_LIMIT} wrong second-factor codes.",
                )
        return Verification.WRONG
    # One UPDATE moves the last step forward, so two sessions presenting the same code cannot both pass.
    spent = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )
    if not spent:
        # A replay is not a guess at the secret, but it is not a success either: the slot stays taken.
        return Verification.REPLAYED
    throttle.clear(scope=ThrottleScope.SECOND_FACTOR, key=key)
    user.totp_last_step = step
    return Verification.ACCEPTED


class TwoFactorMiddleware:
    """Send a signed-in user with TOTP enrolled to the code page until they pass it."""

    EXEMPT_PREFIXES = ("/account/verify", "/logout", "/static/", "/healthz", "/readyz", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.totp_secret
            and not request.session.get(VERIFIED_SESSION_KEY)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect(f"{reverse('two_factor_verify')}?{REDIRECT_FIELD_NAME}={request.get_full_path()}")
        return self.get_response(request)
