from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class EventIsImmutable(Exception):
    """An event was about to be changed or deleted; the log is append-only."""


class EventQuerySet(models.QuerySet["Event"]):
    def for_target(self, target: models.Model) -> "EventQuerySet":
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))

    def sealed(self):
        """Events linked into the hash chain."""
        return self.exclude(hash="")

    def unsealed(self):
        """Events written but not yet given their link in the chain (see sealing.py)."""
        return self.filter(hash="")

    def update(self, **kwargs):
        raise EventIsImmutable("events cannot be updated")

    def delete(self):
        raise EventIsImmutable("events cannot be deleted")


class Event(models.Model):
    """One change with business meaning: who did what to which record, and why."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept beside the foreign key so the record reads the same after a user is
    # renamed, and so machine actors (system, API tokens) have a name too.
    actor_label = models.CharField(max_length=150)
    # The machine client whose API request made the change; the label alone
    # could be reused by a later token of the same name.
    api_token = models.ForeignKey(
        "api.ApiToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="API token"
    )
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255)
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    # The log's order, from a database sequence when the event is written;
    # numbers of rolled-back transactions leave gaps (see sealing.py).
    sequence = models.PositiveBigIntegerField(unique=True)
    # The tamper-evident chain (see chain.py): the link to the event before
    # and the event's own hash, both empty until the sealer links it.
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "occurred_at"]),
            # The sealer's work list: small, as events wait only moments for their link.
            models.Index(fields=["sequence"], condition=models.Q(hash=""), name="audit_event_unsealed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hash="", previous_hash="") | (~models.Q(hash="") & ~models.Q(previous_hash="")),
                name="audit_event_sealed_whole",
                violation_error_message="An event is sealed with both its link and its hash, or with neither.",
            )
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise EventIsImmutable("events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventIsImmutable("events cannot be deleted")
