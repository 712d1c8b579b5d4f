"""Optional TOTP second factor for staff: once enrolled, a session is not trusted until a code is given."""

import pyotp
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse

VERIFIED_SESSION_KEY = "two_factor_verified"
ISSUER = "ExportDesk"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def code_is_valid(secret: str, code: str) -> bool:
    # One step of drift either way covers clocks a little out of true.
    return bool(secret) and pyotp.TOTP(secret).verify((code or "").strip(), valid_window=1)


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
