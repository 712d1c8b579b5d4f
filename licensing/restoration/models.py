import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from licensing.determinations.models import SubjectMixin
from licensing.parties.models import Customer, Person
from licensing.reference.models import Country

from .buckets import Bucket
from .intake.columns import FileKind
from .rules import rule_set_problems

__all__ = ["Bucket", "FileKind", "ImportRun", "ImportScreeningChunk", "Proposal", "ProposalQuerySet", "TriageRuleSet"]

_ONE_SUBJECT = Q(customer__isnull=False, person__isnull=True) | Q(customer__isnull=True, person__isnull=False)


class TriageRuleSetQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=TriageRuleSet.Status.ACTIVE)


class TriageRuleSet(models.Model):
    """A numbered version of the triage rules: an ordered list of named rules and their parameters.

    Triage asks the rules of the one active version in order; the first that
    speaks places the subject. A version is edited while a draft, then
    activated (retiring the one before), so every proposal names the exact
    rules that made it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    rules = models.JSONField(
        default=list,
        help_text='Ordered list of rules, each {"rule": name, ...parameters}; the first to speak places the subject.',
    )
    note = models.TextField(blank=True, help_text="What changed from the version before, and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = TriageRuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"), name="one_active_triage_rule_set"),
        ]

    def __str__(self):
        return f"Triage rules v{self.version} ({self.get_status_display()})"

    def clean(self):
        problems = rule_set_problems(self.rules)
        if problems:
            raise ValidationError({"rules": problems})


class ProposalQuerySet(models.QuerySet):
    def current(self) -> "ProposalQuerySet":
        return self.filter(is_current=True)

    def in_bucket(self, bucket: str) -> "ProposalQuerySet":
        return self.filter(bucket=bucket)

    def accepted(self) -> "ProposalQuerySet":
        return self.filter(accepted_at__isnull=False)

    def not_accepted(self) -> "ProposalQuerySet":
        return self.filter(accepted_at__isnull=True)

    def for_subject(self, subject: Customer | Person) -> "ProposalQuerySet":
        if isinstance(subject, Person):
            return self.filter(person=subject)
        return self.filter(customer=subject)

    def customers(self) -> "ProposalQuerySet":
        return self.filter(customer__isnull=False)

    def persons(self) -> "ProposalQuerySet":
        return self.filter(person__isnull=False)


class Proposal(SubjectMixin):
    """Triage's proposal for one subject: a bucket, the facts that put it there, and who accepted or moved it.

    A proposal is never edited into another: triage run again on changed facts,
    or an officer's move, writes a new current proposal and keeps the old one
    (`is_current` false, `superseded_at` set), so the restoration page can
    count subjects per bucket on any past day.
    """

    bucket = models.CharField(max_length=22, choices=Bucket.choices)
    # What the rules said; differs from `bucket` only when an officer moved the subject.
    rule_bucket = models.CharField(max_length=22, choices=Bucket.choices)
    attribution_country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="15 CFR 734.13(b): where a release to a foreign subject is attributed.",
    )
    reasons = models.JSONField(default=list, help_text='The facts cited: [{"rule", "fact", "value"}, ...].')
    rule_set = models.ForeignKey(TriageRuleSet, on_delete=models.PROTECT, related_name="proposals")
    proposed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    move_reason = models.TextField(blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="proposal_has_one_subject"),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_current=True), name="one_current_proposal_per_customer"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_current=True), name="one_current_proposal_per_person"
            ),
            models.CheckConstraint(
                condition=Q(moved_by__isnull=True) | ~Q(move_reason=""), name="proposal_move_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(is_current=True) | Q(superseded_at__isnull=False), name="superseded_proposal_dated"
            ),
        ]
        indexes = [
            models.Index(fields=["bucket"], condition=Q(is_current=True), name="current_proposal_bucket"),
            models.Index(fields=["proposed_at"], name="proposal_proposed_at"),
        ]

    def __str__(self):
        return f"{self.subject}: {self.get_bucket_display()}"

    @property
    def was_moved(self) -> bool:
        return self.moved_by_id is not None


def import_path(instance, filename):
    # The stored name is the run's, never the uploader's; the original name is kept in the row.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class ImportRunQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=(ImportRun.Status.QUEUED, ImportRun.Status.RUNNING))


class ImportRun(models.Model):
    """One file of the customer book (or one API body), its dry-run report, and the import's progress.

    The import writes in chunks, each committed with `last_line`, so a run
    stopped half-way resumes after the last chunk it committed; the rows are
    matched by billing's ids, so running it again changes nothing.
    """

    class Status(models.TextChoices):
        REFUSED = "refused", "Refused: problems found, nothing written"
        CHECKED = "checked", "Checked (dry run): nothing written"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded file"
        API = "api", "API"

    kind = models.CharField(max_length=10, choices=FileKind.choices)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.UPLOAD)
    file = models.FileField(upload_to=import_path, max_length=300, blank=True)
    # The file's SHA-256, kept after the file itself is deleted (IMPORT_FILE_RETENTION_DAYS), so the run still
    # says exactly which file it imported.
    sha256 = models.CharField(max_length=64, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    report = models.JSONField(default=dict, blank=True, help_text='{"rows", "problem_count", "problems": [...]}')
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    last_line = models.PositiveIntegerField(default=0, help_text="The last line written by a committed chunk.")
    counts = models.JSONField(default=dict, blank=True, help_text="Created, changed and unchanged records.")
    triaged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import #{self.pk} of {self.get_kind_display().lower()} ({self.original_name})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.REFUSED, self.Status.CHECKED, self.Status.DONE, self.Status.FAILED)

    @property
    def problems(self) -> list:
        return self.report.get("problems", [])

    def screening_progress(self) -> tuple[int, int]:
        """Subjects the import created or changed whose screening is done, and how many there are."""
        done = total = 0
        for size, finished in self.screening_chunks.values_list("size", "done_at"):
            total += size
            done += size if finished is not None else 0
        return done, total


class ImportScreeningChunk(models.Model):
    """Customers or persons an import created or changed, screened together by one task after the import.

    Written with the import's chunk that created or changed them, and queued
    once the import (and its triage) is done, so the screening's re-triage
    always comes after the import's own. `done_at` makes the task idempotent.
    """

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customers"
        PERSON = "person", "Persons"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="screening_chunks")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    subject_ids = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Subjects screened now; the others were already screened as they are, against the same list versions.
    screened = models.PositiveIntegerField(default=0)
    hits_changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "pk"]

    def __str__(self):
        return f"Screening of {self.size} {self.get_kind_display().lower()} of import #{self.run_id}"
