"""Licence reviews: a confirmed list match puts every licence relying on the listed party under review."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from licensing.audit.services import record_event
from licensing.screening.models import Hit

from ..models import Licence, LicenceQuerySet, LicenceReview


def open_licence_reviews(*, hit: Hit, reason: str) -> list[LicenceReview]:
    """Open a review of each active licence of the hit's subject (once per licence and hit); return those opened."""
    opened = []
    with transaction.atomic():
        for licence in affected_licences(hit).order_by("pk"):
            review, created = LicenceReview.objects.get_or_create(licence=licence, hit=hit, defaults={"reason": reason})
            if created:
                record_event(
                    actor=None,
                    verb="licence.review_opened",
                    target=licence,
                    after={"hit": hit.pk, "list": hit.entry.list_code, "reason": reason},
                )
                opened.append(review)
    return opened


def affected_licences(hit: Hit) -> LicenceQuerySet:
    """The licences in force today that authorise something for the hit's subject."""
    if hit.customer_id is not None:
        scope = Q(customer_id=hit.customer_id)
    elif (person := hit.person) is not None:
        # The person's own licences, and its customer's, which may cover it as an employee (750.7(a)(3)).
        scope = Q(person_id=person.pk) | Q(customer_id=person.customer_id, person__isnull=True)
    else:
        party = hit.party
        assert party is not None, "a hit names exactly one subject: a customer, a person or an application party"
        scope = Q(application_id=party.application_id)
        if party.customer_id is not None:
            scope |= Q(customer_id=party.customer_id)
        if party.person_id is not None:
            scope |= Q(person_id=party.person_id)
    return Licence.objects.active_on(timezone.localdate()).filter(scope)
