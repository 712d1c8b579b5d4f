"""Rule changes: a relaxation or a new licence requirement, drafted, simulated, approved by a second person, dated.

A change is never read by the decision. Approving it writes the law data it
stands for (`licensing.reference`: a RequirementRelaxation, or a
LicenceRequirement) dated from its `effective_on`, and the decision reads
that from that day on. Until approval a change is a draft the simulator
reads in memory.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from licensing.parties.models import Customer
from licensing.reference.models import (
    Activity,
    ControlledItem,
    CountryGroup,
    LicenceRequirement,
    RequirementRelaxation,
)


class RuleChangeQuerySet(models.QuerySet):
    def due_on(self, on):
        """Approved changes whose day has come."""
        return self.filter(status=RuleChange.Status.APPROVED, effective_on__lte=on)


class RuleChange(models.Model):
    class Kind(models.TextChoices):
        RELAX_COUNTRY_GROUP = "relax_country_group", "Relax a requirement for a country group"
        RELAX_CUSTOMERS = "relax_customers", "Relax a requirement for named trusted partners"
        RELAX_ITEM = "relax_item", "Relax a requirement for one item"
        ADD_REQUIREMENT = "add_requirement", "Add a requirement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIMULATED = "simulated", "Simulated"
        APPROVED = "approved", "Approved"
        IN_FORCE = "in_force", "In force"
        WITHDRAWN = "withdrawn", "Withdrawn"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(help_text="Why the rule changes: the notice, letter or decision behind it.")
    # A relaxation lifts this requirement; an added requirement leaves it empty.
    requirement = models.ForeignKey(
        LicenceRequirement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The group relaxed, or the group an added requirement names.
    country_group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    customers = models.ManyToManyField(Customer, blank=True, related_name="+")
    # The item relaxed, or the item an added requirement covers.
    item = models.ForeignKey(ControlledItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # An added requirement's letter.
    title = models.CharField(max_length=200, blank=True)
    legal_basis = models.CharField(max_length=200, blank=True)
    scope = models.CharField(max_length=20, choices=LicenceRequirement.Scope.choices, blank=True)
    activities = models.JSONField(default=list, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    # The law data approval wrote; empty before.
    relaxation = models.OneToOneField(
        RequirementRelaxation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_requirement = models.OneToOneField(
        LicenceRequirement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RuleChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            # Four eyes, kept by the database too: whoever drafted a change never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("drafted_by")),
                name="rule_change_approved_by_another",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(effective_on__isnull=False),
                name="rule_change_approved_with_a_date",
            ),
        ]

    def __str__(self):
        return f"change #{self.pk}: {self.get_kind_display().lower()}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("rule_change_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    def clean(self):
        errors: dict[str, str] = {}
        kind = self.Kind
        if self.kind != kind.ADD_REQUIREMENT and self.requirement_id is None:
            errors["requirement"] = "Choose the requirement this change relaxes."
        if self.kind == kind.RELAX_COUNTRY_GROUP and self.country_group_id is None:
            errors["country_group"] = "Choose the country group the requirement no longer reaches."
        if self.kind in (kind.RELAX_ITEM, kind.ADD_REQUIREMENT) and self.item_id is None:
            errors["item"] = "Choose the item."
        if self.kind == kind.ADD_REQUIREMENT:
            if not self.title.strip():
                errors["title"] = "Give the new requirement a title."
            if not self.legal_basis.strip():
                errors["legal_basis"] = "Name the legal basis, for example 15 CFR 744.21(b)."
            if not self.scope:
                errors["scope"] = "Choose whom the new requirement reaches."
            elif self.scope == LicenceRequirement.Scope.COUNTRY_GROUPS and self.country_group_id is None:
                errors["country_group"] = "A requirement for a country group names the group."
            unknown = set(self.activities or []) - set(Activity.values)
            if not isinstance(self.activities, list) or not self.activities:
                errors["activities"] = "List at least one activity."
            elif unknown:
                errors["activities"] = f"Unknown activities: {', '.join(sorted(unknown))}."
        if not (self.reason or "").strip():
            errors["reason"] = "Say why the rule changes."
        if errors:
            raise ValidationError(errors)

    @property
    def is_relaxation(self) -> bool:
        return self.kind != self.Kind.ADD_REQUIREMENT

    def relaxation_kind(self) -> str:
        """The kind of RequirementRelaxation a relaxing change writes."""
        return {
            self.Kind.RELAX_COUNTRY_GROUP: RequirementRelaxation.Kind.COUNTRY_GROUP,
            self.Kind.RELAX_CUSTOMERS: RequirementRelaxation.Kind.CUSTOMERS,
            self.Kind.RELAX_ITEM: RequirementRelaxation.Kind.ITEM,
        }[self.Kind(self.kind)]

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SIMULATED)


class Simulation(models.Model):
    """One run of the simulator over the book, under a draft change: progress, then the difference it makes."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    change = models.ForeignKey(RuleChange, on_delete=models.CASCADE, related_name="simulations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    # The day the book is decided on, with and without the change.
    decided_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Chunks of subjects: how many are decided so far, out of how many.
    chunks_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    subjects_done = models.PositiveIntegerField(default=0)
    subjects_total = models.PositiveIntegerField(default=0)
    # Counts, overall and by country (see licensing.policy.simulator.Tally).
    results = models.JSONField(default=dict)
    # The subjects whose decision changes, the first DIFF_ROWS_KEPT of them (the counts cover all).
    differences = models.JSONField(default=list)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(chunks_done__lte=F("chunks_total")), name="simulation_done_le_total")
        ]

    def __str__(self):
        return f"simulation #{self.pk} of {self.change}"

    @property
    def percent_done(self) -> int:
        if not self.subjects_total:
            return 100 if self.status == self.Status.FINISHED else 0
        return int(100 * self.subjects_done / self.subjects_total)
