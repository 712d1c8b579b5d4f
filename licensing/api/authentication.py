"""Who is calling: a machine client with a bearer token, or a signed-in member of staff."""

from rest_framework import authentication, exceptions

from licensing.accounts.two_factor import VERIFIED_SESSION_KEY

from .tokens import ApiClient, client_for

MAX_TOKEN_LENGTH = 200


def presented_token(request) -> str | None:
    """The token of an `Authorization: Bearer` header; None without one. A malformed token is refused."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    raw = raw.strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.isascii() or any(c.isspace() for c in raw):
        raise exceptions.AuthenticationFailed("The bearer token is malformed.")
    return raw


def known_client(client: ApiClient | None) -> ApiClient:
    """The client a token was found for; refuses the request when it was not found."""
    if client is None:
        raise exceptions.AuthenticationFailed("The bearer token is unknown, revoked or expired.")
    return client


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`, checked against the stored hashes."""

    def authenticate(self, request):
        raw = presented_token(request)
        if raw is None:
            return None
        client = known_client(client_for(raw))
        return client, client

    def authenticate_header(self, request):
        return 'Bearer realm="exportdesk"'


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """A staff member signed in to the web UI; unsafe methods need the CSRF token, as in the UI."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not user.is_staff:
            return None
        # The web UI's second factor is enforced by middleware that leaves the
        # API alone; a session that has not passed it is not trusted here either.
        if getattr(user, "totp_secret", "") and not request._request.session.get(VERIFIED_SESSION_KEY):
            raise exceptions.AuthenticationFailed("Finish signing in with your second factor first.")
        return result
