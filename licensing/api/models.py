from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from licensing.accounts.permissions import ClientRole

from .webhooks.destinations import destination_problem


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, at=None):
        """Tokens a request would be accepted with at `at` (now by default): not revoked, not expired."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))

    def expiring_between(self, start, end):
        return self.active(at=start).filter(expires_at__lte=end)


class ApiToken(models.Model):
    """A machine client's credential; only a hash of the secret is kept."""

    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=20, choices=ClientRole.choices)
    # The first characters of the token, shown in lists so a leaked token can
    # be recognised without the secret being stored.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="From this moment the token is refused; empty: it does not expire."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.has_expired()

    def has_expired(self, *, at=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (at or timezone.now())


class WebhookEvent(models.TextChoices):
    TRANSACTION_DECIDED = "transaction.decided", "A transaction was decided"
    APPLICATION_STATUS_CHANGED = "application.status_changed", "An application changed status"
    LICENCE_ISSUED = "licence.issued", "A licence was issued"
    LICENCE_EXPIRING = "licence.expiring", "A licence expires soon"
    LICENCE_EXPIRED = "licence.expired", "A licence expired"
    LICENCE_ALLOWANCE_USED_UP = "licence.allowance_used_up", "A licence's model calls or tokens are all used"
    CUSTOMER_HELD = "customer.held", "A customer was put on hold or blocked"
    API_TOKEN_EXPIRING = "api_token.expiring", "An API token expires soon"


class WebhookSubscriptionQuerySet(models.QuerySet["WebhookSubscription"]):
    def listening_to(self, event: str) -> list["WebhookSubscription"]:
        # Filtered in Python: subscriptions are few, and SQLite (the embedded
        # default) cannot search inside a JSON list.
        return [s for s in self.filter(active=True) if event in s.events]


class WebhookSubscription(models.Model):
    """Where to send which events, and the secret their signatures are made with."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=500,
        help_text="HTTPS to a public address; a private or local host only if WEBHOOK_ALLOWED_PRIVATE_HOSTS names it "
        "(HTTP to this machine only).",
    )
    events = models.JSONField(default=list, help_text="Event types to send.")
    # The receiver needs the same secret to check signatures, so it is kept as
    # given, never hashed; it is shown once and never returned by the API.
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": "List at least one event type."})
        unknown = set(self.events) - set(WebhookEvent.values)
        if unknown:
            raise ValidationError({"events": f"Unknown event types: {', '.join(sorted(map(str, unknown)))}."})
        problem = destination_problem(self.url)
        if problem:
            raise ValidationError({"url": problem})
        if len(self.secret or "") < 32:
            raise ValidationError({"secret": "Use a secret of at least 32 characters."})


class WebhookDelivery(models.Model):
    """One event to one subscription: the exact body signed and sent, and how sending went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed, gave up"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries")
    event_id = models.UUIDField(db_index=True, help_text="The event's id; the same for every subscription.")
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # Identifies what happened, so the same happening is never sent twice.
    dedupe_key = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "dedupe_key"], name="one_delivery_per_happening"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False), name="delivered_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.event_type} to {self.subscription}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: kept for the delivery log admins read."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self):
        outcome = self.status_code or self.error
        return f"Attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {outcome}"
