import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licensing.cases.models import Licence

from ..models import WebhookEvent
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
                lambda licence=licence: {**events.licence_data(licence), "days_left": (licence.valid_until - on).days},
                dedupe_key=f"licence.expiring:{licence.pk}:{licence.valid_until}",
            ):
                count += 1
    return count
