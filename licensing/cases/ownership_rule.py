"""The dated setting of the ownership rule (the Affiliates rule): whether, on a day, listed owners' listings reach.

A period is never edited once recorded: suspending or resuming the rule adds
a period from its first day, and the period in force on a day is the latest
one begun by then that has not ended. So a decision replayed later reads the
setting it was decided under (`licensing.cases.replay`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class OwnershipRulePeriodQuerySet(models.QuerySet["OwnershipRulePeriod"]):
    def governing_on(self, on: datetime.date) -> "OwnershipRulePeriodQuerySet":
        """The periods begun by `on` and not ended before it, the one that governs first."""
        return self.filter(
            Q(effective_from__lte=on), Q(effective_until__isnull=True) | Q(effective_until__gte=on)
        ).order_by("-effective_from", "-id")


class OwnershipRulePeriod(models.Model):
    """From a day (to a day, if it ends), the ownership rule is in force or suspended."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        SUSPENDED = "suspended", "Suspended"

    status = models.CharField(max_length=10, choices=Status.choices)
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text="Inclusive; empty while it lasts.")
    legal_basis = models.CharField(max_length=200, default="15 CFR 744.11(a)(1), the affiliates rule (90 FR 47201)")
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = OwnershipRulePeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="ownership_rule_period_ends_after_it_starts",
            )
        ]

    def __str__(self):
        until = f" until {self.effective_until}" if self.effective_until else ""
        return f"Ownership rule {self.get_status_display().lower()} from {self.effective_from}{until}"

    def clean(self):
        if self.effective_until and self.effective_from and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": "Ends before it starts."})
        if not self.reason.strip():
            raise ValidationError({"reason": "Say why."})
