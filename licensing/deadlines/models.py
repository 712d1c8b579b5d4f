import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Kind(models.TextChoices):
    """Every clock the product tracks (domain.md, "Clocks")."""

    BIS_ACTION = "bis_action", "BIS acts or refers (day 9 after registration)"
    AGENCY_RECOMMENDATION = "agency_recommendation", "Agencies recommend (day 30 after referral)"
    RESOLUTION = "resolution", "Resolution (90 days, stopped days excluded)"
    INFORMATION_REQUEST_ANSWER = "information_request_answer", "Answer to BIS's request for information"
    INTENT_TO_DENY_RESPONSE = "intent_to_deny_response", "Response to an intent to deny (day 20)"
    DENIAL_FINAL = "denial_final", "Denial final (day 45 after an intent to deny)"
    APPEAL = "appeal", "Appeal of a final denial (45 days)"
    RWA_RESUBMISSION = "rwa_resubmission", "Resubmission after return without action"
    LICENCE_EXPIRY = "licence_expiry", "Licence expiry"
    BIS_711_FIRST_FILING = "bis_711_first_filing", "BIS-711: first application filed within 1 year"
    BIS_711_LATER_FILING = "bis_711_later_filing", "BIS-711: later application filed within 4 years"
    DETERMINATION_REVIEW = "determination_review", "Determination review"
    RECORD_RETENTION = "record_retention", "Record retention ends (762.6)"
    VISA_EXPIRY = "visa_expiry", "Visa expiry (deemed-export end user)"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Deadline.Status.OPEN)

    def due_before(self, day: datetime.date):
        return self.filter(due_on__lt=day)

    def owned_by(self, user):
        return self.filter(owner=user)

    def overdue(self, today: datetime.date):
        """Deadlines past their day that still want someone to act."""
        return self.filter(
            Q(status=Deadline.Status.OPEN, due_on__lt=today, paused_since__isnull=True)
            | Q(status=Deadline.Status.MISSED, settled_on__isnull=True)
        )

    def for_subject(self, subject):
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


class Deadline(models.Model):
    """One clock on one record: when it runs out, who answers for it, and whether it was kept.

    Rows are derived from the event log by `recompute`; nothing else writes them.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The record the clock runs on: an application, a licence, a BIS-711
    # document or a determination.
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject_repr = models.CharField(max_length=255)
    # The case the subject belongs to, if any, so a case's clocks read together.
    application = models.ForeignKey(
        "cases.LicenceApplication", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    starts_on = models.DateField(help_text="The day the clock counts from.")
    due_on = models.DateField(db_index=True)
    stopped_days = models.PositiveIntegerField(default=0, help_text="Days the clock was stopped (90-day clock).")
    paused_since = models.DateField(null=True, blank=True, help_text="The clock is stopped since this day.")
    settled_on = models.DateField(null=True, blank=True, help_text="When it was met, missed late, or cancelled.")
    basis = models.CharField(max_length=500, blank=True, help_text="How the due date was worked out.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_type", "subject_id"], name="one_deadline_per_clock"),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject_repr}, due {self.due_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("deadlines:detail", args=[self.pk])

    @property
    def subject(self):
        """The record the clock runs on, or None if it has been removed."""
        return self.subject_type.model_class().objects.filter(pk=self.subject_id).first()

    def is_overdue(self, today: datetime.date) -> bool:
        if self.status == self.Status.MISSED:
            return self.settled_on is None
        return self.status == self.Status.OPEN and self.paused_since is None and self.due_on < today

    def days_left(self, today: datetime.date) -> int:
        return (self.due_on - today).days


class Delivery(models.TextChoices):
    EMAIL = "email", "E-mail now"
    DIGEST = "digest", "In the daily digest"
    IN_APP = "in_app", "In the application only (no e-mail address)"


class Digest(models.Model):
    """One daily digest e-mail to one user; the unique day makes a second run find it taken."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-on"]
        constraints = [models.UniqueConstraint(fields=["recipient", "on"], name="one_digest_per_user_per_day")]

    def __str__(self):
        return f"Digest for {self.recipient} on {self.on}"


class Reminder(models.Model):
    """A claim that one reminder about one deadline goes to one person.

    The row is inserted before anything is sent; the unique constraint makes
    a second beat run or a retried worker find the reminder already claimed.
    """

    MISSED = "missed"

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="reminders")
    # "7d" for seven days before the due day; "missed" for the escalation.
    offset = models.CharField(max_length=12)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    claimed_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.PROTECT, related_name="reminders")

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "offset", "recipient"], name="one_reminder_per_offset"),
        ]

    def __str__(self):
        return f"{self.describe_offset()} reminder to {self.recipient}: {self.deadline}"

    @property
    def is_escalation(self) -> bool:
        return self.offset == self.MISSED

    def describe_offset(self) -> str:
        if self.is_escalation:
            return "Missed"
        days = int(self.offset.removesuffix("d"))
        return "Due tomorrow" if days == 1 else f"{days} days before"


class Notification(models.Model):
    """An in-app message; created with its reminder, so it exists exactly once too."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="notifications")
    reminder = models.OneToOneField(Reminder, on_delete=models.PROTECT, related_name="notification")
    title = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class Subscription(models.Model):
    """How one user hears about deadlines: the digest choice and the private calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_subscription"
    )
    daily_digest = models.BooleanField(
        default=False, help_text="Collect reminders into one e-mail a day instead of one e-mail each."
    )
    # Only a hash is kept: the feed address is shown once, when it is made.
    calendar_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    calendar_token_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"Deadline subscription of {self.user}"
