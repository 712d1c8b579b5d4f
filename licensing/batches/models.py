"""Determinations prepared together from accepted triage proposals, and approved together after a sampled review."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.determinations.models import ForeignPersonDetermination, SubjectMixin
from licensing.restoration.models import Bucket, Proposal

_ONE_SUBJECT = Q(customer__isnull=False, person__isnull=True) | Q(customer__isnull=True, person__isnull=False)


class BatchQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=[DeterminationBatch.Status.APPROVED, DeterminationBatch.Status.STOPPED])


class DeterminationBatch(models.Model):
    """Many determinations, prepared by one officer, reviewed by a second through a random sample.

    The reviewer opens every sampled subject before approving; a rejected
    sampled subject stops the batch and nothing in it is approved. Approval
    then writes each determination on its own, in the background.
    """

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        PREPARED = "prepared", "Prepared: waiting for a reviewer"
        IN_REVIEW = "in_review", "In review"
        APPROVING = "approving", "Approved: writing determinations"
        APPROVED = "approved", "Approved"
        STOPPED = "stopped", "Stopped"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    buckets = models.JSONField(default=list, help_text="The triage buckets whose accepted proposals it took.")
    effective_on = models.DateField()
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The random draw, kept so anyone can see which subjects were sampled and redraw them from the seed.
    sample_seed = models.BigIntegerField(null=True, blank=True)
    sample_size = models.PositiveIntegerField(default=0)
    sample = models.JSONField(default=list, blank=True, help_text='Sampled subjects: [["customer", id], ...].')
    stop_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "determination batch"
        verbose_name_plural = "determination batches"
        constraints = [
            # Four eyes: whoever prepared the batch never reviews it.
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=models.F("prepared_by")), name="batch_four_eyes"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_review", "approving", "approved"]) | Q(reviewer__isnull=False),
                name="batch_reviewed_has_reviewer",
            ),
        ]

    def __str__(self):
        return f"Batch #{self.pk}"

    @property
    def is_working(self) -> bool:
        """A background task is writing it: its page refreshes itself."""
        if self.status == self.Status.APPROVED:
            # Approved, and its subjects' waiting transactions not all decided again yet.
            return self.entries.filter(state=BatchEntry.State.APPROVED, redecided_at__isnull=True).exists()
        return self.status in (self.Status.PREPARING, self.Status.APPROVING)

    def counts(self) -> dict[str, int]:
        rows = self.entries.values("state").annotate(n=models.Count("pk")).values_list("state", "n")
        counts = {state: 0 for state in BatchEntry.State.values}
        counts.update(dict(rows))
        counts["total"] = sum(counts[s] for s in BatchEntry.State.values)
        # Approved subjects whose waiting transactions have been decided again since.
        counts["redecided"] = self.entries.filter(state=BatchEntry.State.APPROVED, redecided_at__isnull=False).count()
        return counts


class BatchEntry(SubjectMixin):
    """One subject of a batch: its proposal, the determination prepared for it, and its sample review."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be prepared"
        PREPARED = "prepared", "Determination in review"
        LEFT_OUT = "left_out", "Left out"
        APPROVED = "approved", "Determination approved"

    class Verdict(models.TextChoices):
        NONE = "", "Not given"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    batch = models.ForeignKey(DeterminationBatch, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    bucket = models.CharField(max_length=22, choices=Bucket.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    determination = models.ForeignKey(
        ForeignPersonDetermination, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    left_out_reason = models.TextField(blank=True)
    sampled = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.NONE, blank=True)
    verdict_reason = models.TextField(blank=True)
    # When the subject's waiting transactions were decided again after its approval (a chunk's task does it).
    redecided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name_plural = "batch entries"
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="batch_entry_has_one_subject"),
            models.UniqueConstraint(
                fields=["batch", "customer"], condition=Q(person__isnull=True), name="one_entry_per_customer_in_batch"
            ),
            models.UniqueConstraint(fields=["batch", "person"], name="one_entry_per_person_in_batch"),
            models.CheckConstraint(
                condition=Q(state="left_out") | Q(left_out_reason=""), name="batch_entry_only_left_out_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(opened_at__isnull=False), name="batch_entry_verdict_after_opening"
            ),
        ]
        indexes = [models.Index(fields=["batch", "state"], name="batch_entry_state")]

    def __str__(self):
        return f"{self.subject} in batch #{self.batch_id}"

    @property
    def subject_key(self) -> list:
        return ["person", self.person_id] if self.person_id else ["customer", self.customer_id]
