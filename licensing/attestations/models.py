"""A customer's own statement of what a determination needs, asked for by a signed, expiring link."""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.determinations.models import SubjectMixin
from licensing.parties.models import Customer, EvidenceDocument, Person

_ONE_SUBJECT = Q(customer__isnull=False, person__isnull=True) | Q(customer__isnull=True, person__isnull=False)
_OPEN = Q(status__in=["sent", "viewed"])


class Purpose(models.TextChoices):
    # A link answers one question only: the salt of its signature names the purpose too.
    FOREIGN_PERSON_STATUS = "foreign_person_status", "Who you are, for an export-control determination"


class AttestationSendRun(models.Model):
    """One bulk send of attestation links, done by a background task; its progress is shown on a page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # [["customer", id] or ["person", id], ...], in the order they are sent.
    subjects = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    # [{"subject": "customer 12", "reason": "..."}]: the subjects not sent a link, and why.
    skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Attestation links #{self.pk}: {self.total} subjects"

    @property
    def percent_done(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)

    @property
    def finished(self) -> bool:
        return self.status == self.Status.DONE


class AttestationQuerySet(models.QuerySet):
    def for_subject(self, subject):
        if isinstance(subject, Person):
            return self.filter(person=subject)
        return self.filter(customer=subject, person__isnull=True)

    def unanswered(self):
        return self.filter(_OPEN)

    def submitted(self):
        return self.filter(status=Attestation.Status.SUBMITTED)

    def lapsed(self, now):
        return self.unanswered().filter(expires_at__lte=now)

    def due_reminder(self, now, *, quiet_for, most: int):
        """Open, unexpired links last sent at least `quiet_for` ago and reminded fewer than `most` times."""
        return (
            self.unanswered()
            .filter(expires_at__gt=now, reminders_sent__lt=most)
            .filter(Q(last_sent_at__lte=now - quiet_for))
        )


class Attestation(SubjectMixin):
    """A link e-mailed to a subject's contact, and what they answered through it.

    The link's secret is kept only as a hash; an answer becomes evidence on the
    subject (status records, incorporation, owners) and never approves anything:
    a determination still needs an officer and a second reviewer.
    """

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed"
        SUBMITTED = "submitted", "Submitted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.FOREIGN_PERSON_STATUS)
    contact_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    send_run = models.ForeignKey(
        AttestationSendRun, null=True, blank=True, on_delete=models.PROTECT, related_name="attestations"
    )
    sent_at = models.DateTimeField()
    # The last time a link went out (the first send or a reminder, which replaces the link).
    last_sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)
    signed_title = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    # What the answers became: the ids of status records and ownership edges written, the customer's fields
    # filled in, and answers that differ from facts already recorded (kept, not written over).
    recorded = models.JSONField(default=dict, blank=True)

    objects = AttestationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="attestation_has_one_subject"),
            # One live link per subject: a second send while one is open would leave two ways to answer.
            models.UniqueConstraint(
                fields=["customer"], condition=_OPEN & Q(person__isnull=True), name="one_open_attestation_per_customer"
            ),
            models.UniqueConstraint(fields=["person"], condition=_OPEN, name="one_open_attestation_per_person"),
            models.CheckConstraint(
                condition=~Q(status="submitted") | (Q(submitted_at__isnull=False) & ~Q(signed_name="")),
                name="submitted_attestation_is_signed",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="attestation_open_expiry")]

    def __str__(self):
        return f"Attestation #{self.pk} for {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.VIEWED)

    @property
    def asks_about_a_person(self) -> bool:
        """A person, or an individual customer (answered about its account holder), is asked person questions."""
        if self.person_id is not None:
            return True
        return self.customer is not None and self.customer.kind == Customer.Kind.INDIVIDUAL


def attestation_document_path(instance, filename):
    # Like evidence: the stored name says nothing about the subject; the extension follows the detected content.
    return f"attestations/{instance.attestation_id}/{instance.token}{PurePath(filename).suffix}"


class AttestationDocument(models.Model):
    """A document the customer uploaded with an attestation; compliance eyes only."""

    attestation = models.ForeignKey(Attestation, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=EvidenceDocument.Kind.choices)
    file = models.FileField(upload_to=attestation_document_path, max_length=300)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} for attestation #{self.attestation_id}"


class RefusedLink(models.Model):
    """A link that was refused (tampered, unknown, expired, revoked, used, too many tries): the attempt, kept."""

    class Reason(models.TextChoices):
        TAMPERED = "tampered", "Tampered or unknown"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"
        ANSWERED = "answered", "Already answered"
        REPLACED = "replaced", "Replaced by a newer link"
        TOO_MANY = "too_many", "Too many requests"

    attestation = models.ForeignKey(Attestation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    attempted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self):
        return f"Refused attestation link ({self.get_reason_display()})"
