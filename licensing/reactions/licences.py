"""A confirmed listing puts the licences relying on the listed party under review."""

from licensing.audit.models import Event
from licensing.cases.services.reviews import open_licence_reviews
from licensing.screening.models import Hit


def open_reviews(event: Event, hit: Hit) -> None:
    """Open a review of each licence the confirmed hit's subject relies on, in the confirmation's transaction."""
    reason = f"{hit.subject_name} confirmed as {hit.entry.name} on the {hit.entry.list_name}"
    open_licence_reviews(hit=hit, reason=reason + (f": {event.reason}" if event.reason else "."))
