"""Background work recorded in the same transaction as the change that calls for it."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def unsent(self) -> "OutboxMessageQuerySet":
        return self.filter(sent_at__isnull=True)

    def oldest_first(self) -> "OutboxMessageQuerySet":
        return self.order_by("created_at", "pk")


class OutboxMessage(models.Model):
    """A Celery task to send: written with the change, sent once it commits (or later, by the relay)."""

    task = models.CharField(max_length=200, help_text="The registered name of the Celery task.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the broker accepted the task.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        indexes = [
            # The relay reads only the unsent rows, oldest first: a small index however long the history.
            models.Index(fields=["created_at", "id"], condition=Q(sent_at__isnull=True), name="outbox_unsent_idx"),
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=False), name="outbox_sent_idx"),
        ]

    def __str__(self):
        state = f"sent {self.sent_at:%Y-%m-%d %H:%M:%S}" if self.sent_at else f"waiting, {self.attempts} attempts"
        return f"{self.task} {self.args} {self.kwargs} ({state})"
