import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licensing.cases.models import Licence

from ..models import ApiToken, WebhookEvent
from . import events
from .publishing import publish


def announce_expiring_licences(*, on: datetime.date | None = None) -> int:
    """Publish licence.expiring once per licence and validity end within the notice period; return how many."""
    on = on or timezone.localdate()
    until = on + datetime.timedelta(days=settings.LICENCE_EXPIRING_NOTICE_DAYS)
    count = 0
    expiring = Licence.objects.filter(status=Licence.Status.ACTIVE, valid_until__gte=on, valid_until__lte=until)
    for licence in expiring.order_by("valid_until", "pk"):
        with transaction.atomic():
            # Keyed on the end date, so a licence extended to a new date is announced again.
            if publish(
                WebhookEvent.LICENCE_EXPIRING,
                partial(_licence_data, licence, on=on),
                dedupe_key=f"licence.expiring:{licence.pk}:{licence.valid_until}",
            ):
                count += 1
    return count


def announce_expiring_api_tokens(*, now: datetime.datetime | None = None) -> int:
    """Publish api_token.expiring once per token and expiry within the warning period; return how many."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=settings.API_TOKEN_EXPIRY_WARNING_DAYS)
    count = 0
    for token in ApiToken.objects.expiring_between(now, until).order_by("expires_at", "pk"):
        with transaction.atomic():
            # Keyed on the expiry, so a token given a new expiry is warned about again.
            if publish(
                WebhookEvent.API_TOKEN_EXPIRING,
                partial(_token_data, token, now=now),
                dedupe_key=f"api_token.expiring:{token.pk}:{token.expires_at.isoformat()}",
            ):
                count += 1
    return count


def _licence_data(licence: Licence, *, on: datetime.date) -> dict:
    return {**events.licence_data(licence), "days_left": (licence.valid_until - on).days}


def _token_data(token: ApiToken, *, now: datetime.datetime) -> dict:
    # Only tokens that expire are warned about.
    assert token.expires_at is not None
    # Never the secret: only what names the token to whoever must replace it.
    return {
        "api_token": {
            "name": token.name,
            "role": token.role,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
        "days_left": (token.expires_at - now).days,
    }
