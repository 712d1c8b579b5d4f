import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from licensing.cases.models import LicenceApplication


class FilingIsImmutable(Exception):
    """A generated filing was about to be changed; a new version must be made instead."""


class RetentionBlocked(Exception):
    """Records were about to be destroyed inside their retention period or under a legal hold."""


class FilingKind(models.TextChoices):
    FORM_748P = "bis_748p", "BIS-748P multipurpose application"
    FORM_748P_A = "bis_748p_a", "BIS-748P-A item appendix"
    FORM_748P_B = "bis_748p_b", "BIS-748P-B end-user appendix"
    FORM_711 = "bis_711", "BIS-711 statement by ultimate consignee and purchaser"
    LETTER_OF_EXPLANATION = "letter_of_explanation", "Letter of explanation"
    LICENCE_SUMMARY = "licence_summary", "Licence summary"


class FilingQuerySet(models.QuerySet["Filing"]):
    def ready(self):
        return self.filter(status=Filing.Status.READY)

    def filed(self):
        return self.filter(filed=True)

    def failed(self):
        return self.filter(status=Filing.Status.FAILED)

    def for_application(self, application):
        return self.filter(application=application)

    def delete(self, *, on: datetime.date | None = None) -> tuple[int, dict[str, int]]:
        for application in LicenceApplication.objects.filter(pk__in=self.values("application_id")):
            assert_may_destroy(application, on=on)
        return super().delete()


def filing_path(filing) -> str:
    return f"filings/{filing.application_id}/{filing.application.reference}-{filing.kind}-v{filing.version}.pdf"


class Filing(models.Model):
    """One generated document of an application, in one version; once ready, never changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        APPROVAL = "approval", "On approval for filing"
        ON_DEMAND = "on_demand", "On demand"
        FILED = "filed", "On filing with BIS"

    application = models.ForeignKey(LicenceApplication, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(max_length=30, choices=FilingKind.choices)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    # The version as filed in SNAP-R, printed with its control number and
    # filing date; every other render of a document BIS receives is a draft.
    filed = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # The application as it stood when the document was filled: its status
    # and a SHA-256 over the data the document was rendered from.
    application_status = models.CharField(max_length=30, choices=LicenceApplication.Status.choices)
    source_sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(max_length=300, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        ordering = ["application", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "version"], name="one_filing_per_version"),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(file="") & Q(generated_at__isnull=False)),
                name="ready_filing_has_file_and_hash",
            ),
            models.CheckConstraint(condition=Q(filed=False) | Q(trigger="filed"), name="filed_version_made_on_filing"),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.get_kind_display()} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding and Filing.objects.filter(pk=self.pk, status=self.Status.READY).exists():
            raise FilingIsImmutable(f"{self} is generated and cannot change; generate a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        assert_may_destroy(self.application)
        return super().delete(*args, **kwargs)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def download_name(self) -> str:
        return f"{self.application.reference}-{self.kind}-v{self.version}.pdf"


class ExportPackageQuerySet(models.QuerySet):
    def requested_by(self, user):
        return self.filter(requested_by=user)


class ExportPackage(models.Model):
    """A ZIP of everything about a selection of applications, for legal staff and auditors."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    # What was asked for, in the asker's terms, and the applications it
    # resolved to when asked: the package never drifts with later data.
    selection = models.JSONField(default=dict)
    application_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(max_length=300, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    file_count = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    objects = ExportPackageQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(file="")),
                name="ready_package_has_file_and_hash",
            ),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="package_progress_in_range"),
        ]

    def __str__(self):
        return f"Export package {self.pk}"

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def download_name(self) -> str:
        return f"exportdesk-package-{self.pk}.zip"

    @property
    def selection_text(self) -> str:
        parts = []
        for key, value in self.selection.items():
            if key == "applications":
                value = [LicenceApplication(pk=pk).reference for pk in value]
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value) if len(value) <= 10 else f"{len(value)} chosen"
            parts.append(f"{key.replace('_', ' ')}: {value}")
        return "; ".join(parts)


class RetentionQuerySet(models.QuerySet):
    def on_hold(self):
        return self.filter(legal_hold=True)

    def destroyable_on(self, on):
        return self.filter(legal_hold=False, destroy_after_on__lt=on)


class RetentionRecord(models.Model):
    """How long a case's records are kept (15 CFR 762.6), and whether a legal hold stops their destruction."""

    class Basis(models.TextChoices):
        EXPORT = "export", "The export"
        TRANSFER = "transfer", "A later reexport or transfer"
        END_OF_TRANSACTION = "end_of_transaction", "The end of the transaction"

    application = models.OneToOneField(LicenceApplication, on_delete=models.PROTECT, related_name="retention")
    exported_on = models.DateField(null=True, blank=True, help_text="The latest export under the case.")
    known_transfer_on = models.DateField(
        null=True, blank=True, help_text="The latest known reexport or transfer of the items, as reported."
    )
    transaction_ended_on = models.DateField(
        null=True, blank=True, help_text="Empty while the application or its licence is still running."
    )
    # Empty while the transaction runs: the period cannot start before it ends.
    destroy_after_on = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=20, choices=Basis.choices, blank=True)
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)
    legal_hold_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_hold_set_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = RetentionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_hold=False) | ~Q(legal_hold_reason=""), name="legal_hold_has_reason"
            ),
        ]

    def __str__(self):
        return f"Retention of {self.application.reference}"

    def blocks_destruction_on(self, on) -> str | None:
        """Say why the records may not be destroyed on `on`, or None when they may."""
        if self.legal_hold:
            return f"{self.application.reference} is under legal hold: {self.legal_hold_reason}"
        if self.destroy_after_on is None:
            return f"{self.application.reference} is still running; its retention period has not started"
        if on <= self.destroy_after_on:
            return f"{self.application.reference} must be kept until {self.destroy_after_on:%Y-%m-%d} (15 CFR 762.6)"
        return None


def assert_may_destroy(application: LicenceApplication, *, on: datetime.date | None = None) -> None:
    """Raise RetentionBlocked unless the application's records may be destroyed on `on`."""
    on = on or timezone.localdate()
    record = RetentionRecord.objects.filter(application=application).first()
    if record is None:
        raise RetentionBlocked(f"{application.reference} has no retention record; compute it before destroying")
    refusal = record.blocks_destruction_on(on)
    if refusal:
        raise RetentionBlocked(refusal)
