"""Account lockout: too many failed sign-ins lock a username for a while, for every sign-in form."""

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import LoginFailure


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "LOGIN_LOCKOUT_MINUTES", 15))


def is_locked(username: str) -> bool:
    limit = getattr(settings, "LOGIN_FAILURE_LIMIT", 5)
    since = timezone.now() - _window()
    return LoginFailure.objects.filter(username__iexact=username, failed_at__gte=since).count() >= limit


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


class LockoutModelBackend(ModelBackend):
    """The usual username and password check, refused outright while the account is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email") or ""
        if username and is_locked(username):
            # PermissionDenied stops Django trying any other backend.
            raise PermissionDenied(f"{username} is locked after repeated failed sign-ins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username:
            LoginFailure.objects.create(username=username[:150], ip_address=_client_ip(request))
        elif user is not None:
            LoginFailure.objects.filter(username__iexact=username).delete()
        return user
