import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from licensing.parties.models import Customer, Person
from licensing.parties.status import Basis, Outcome
from licensing.reference.models import Country

_ONE_SUBJECT = Q(customer__isnull=False, person__isnull=True) | Q(customer__isnull=True, person__isnull=False)


class SubjectMixin(models.Model):
    """A record about exactly one subject: a customer or a person."""

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    @property
    def subject(self):
        return self.person if self.person_id else self.customer

    def clean(self):
        if bool(self.customer_id) == bool(self.person_id):
            raise ValidationError({"customer": "Name exactly one subject: a customer or a person."})


class DeterminationQuerySet(models.QuerySet["ForeignPersonDetermination"]):
    def for_subject(self, subject: Customer | Person) -> "DeterminationQuerySet":
        if isinstance(subject, Person):
            return self.filter(person=subject)
        return self.filter(customer=subject)

    def approved(self) -> "DeterminationQuerySet":
        return self.filter(status=ForeignPersonDetermination.Status.APPROVED)

    def in_force_on(self, on: datetime.date):
        return self.approved().filter(effective_on__lte=on, review_by__gte=on)

    def awaiting_review(self):
        return self.filter(status=ForeignPersonDetermination.Status.IN_REVIEW)


class ForeignPersonDetermination(SubjectMixin):
    """As of a date: is the subject a foreign person, and where is a release to them attributed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Outcome, basis and countries are computed from the subject's recorded
    # facts by the service, never typed, and frozen here when submitted.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    basis = models.CharField(max_length=30, choices=Basis.choices, blank=True)
    attribution_country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="15 CFR 734.13(b): most recent country of citizenship or permanent residency.",
    )
    itar_countries = models.JSONField(
        default=list,
        blank=True,
        help_text="22 CFR 120.51(b): every citizenship held or once held, every permanent residency held.",
    )
    facts = models.JSONField(default=list, blank=True, help_text="The records the assessment read.")
    effective_on = models.DateField()
    review_by = models.DateField()
    notes = models.TextField(blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeterminationQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="determination_has_one_subject"),
            models.CheckConstraint(condition=Q(review_by__gt=models.F("effective_on")), name="review_after_effective"),
            # At most one approved determination per subject is in force; a
            # new approval supersedes the old one first.
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="approved"), name="one_approved_per_customer"
            ),
            models.UniqueConstraint(fields=["person"], condition=Q(status="approved"), name="one_approved_per_person"),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(approved_by=models.F("prepared_by")),
                name="determination_four_eyes",
            ),
        ]

    def __str__(self):
        return f"Determination #{self.pk} for {self.subject}"

    def clean(self):
        super().clean()
        if self.effective_on and self.review_by and self.review_by <= self.effective_on:
            raise ValidationError({"review_by": "The review date must come after the effective date."})

    @property
    def is_foreign(self) -> bool:
        return self.outcome == Outcome.FOREIGN_PERSON

    def in_force_on(self, on: datetime.date) -> bool:
        return self.status == self.Status.APPROVED and self.effective_on <= on <= self.review_by


class DeterminationTask(SubjectMixin):
    """Work for an officer: a subject needs a determination before billing may go ahead."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(max_length=300)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by_transaction = models.ForeignKey(
        "cases.Transaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_determination = models.ForeignKey(
        ForeignPersonDetermination, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="task_has_one_subject"),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="open", person__isnull=True), name="one_open_task_per_customer"
            ),
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="one_open_task_per_person"),
        ]

    def __str__(self):
        return f"Determination needed for {self.subject}"
