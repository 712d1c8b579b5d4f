"""Where triage proposes to put a subject on the way back to service."""

from django.db import models


class Bucket(models.TextChoices):
    RESTORABLE = "restorable", "Restorable now: proposed U.S. person"
    NEEDS_ATTESTATION = "needs_attestation", "Needs attestation"
    LICENCE_REQUIRED = "licence_required", "Foreign: licence required"
    REFUSED = "refused", "Refused (E:1/E:2)"
    BLOCKED = "blocked_by_screening", "Blocked by screening"
    # Not yet screened as it is now while a list is in force: placed again once its screening is recorded.
    AWAITING_SCREENING = "awaiting_screening", "Awaiting screening"
