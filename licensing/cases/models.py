import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from licensing.parties.models import Customer, Person
from licensing.reference.models import Activity, ControlledItem, Country


class Decision(models.TextChoices):
    AUTHORISED = "authorised", "Authorised"
    HOLD = "hold", "Hold"
    LICENCE_REQUIRED = "licence_required", "Licence required"
    REFUSED = "refused", "Refused"


class TransactionQuerySet(models.QuerySet):
    def held(self):
        return self.filter(decision=Decision.HOLD)

    def held_now(self):
        """Transactions the access check holds today, in one query, each with `hold_cause` annotated.

        Those held when decided, and those of a customer put on hold or of a
        customer or person given a hit awaiting adjudication since: the changes
        that hold a transaction decided before them (a blocked customer is
        refused, not held). The transaction's page shows its live decision in full.
        """
        # Looked up by name: screening's models import this module.
        awaiting = apps.get_model("screening", "Hit").objects.awaiting_adjudication()
        on_hold = Q(customer__status=Customer.Status.ON_HOLD)
        hit_pending = Q(customer__in=awaiting.values("customer")) | Q(person__in=awaiting.values("person"))
        return (
            self.filter(Q(decision=Decision.HOLD) | on_hold | hit_pending)
            .exclude(customer__status=Customer.Status.BLOCKED)
            .annotate(
                hold_cause=models.Case(
                    models.When(on_hold, then=models.Value("customer_on_hold")),
                    models.When(hit_pending, then=models.Value("screening_hit")),
                    default=models.Value("recorded"),
                    output_field=models.CharField(),
                )
            )
        )

    def for_recipient(self, *, customer=None, person=None):
        if person is not None:
            return self.filter(person=person)
        return self.filter(customer=customer, person__isnull=True)


class Transaction(models.Model):
    """One export, reexport, transfer or release that billing asks about."""

    external_id = models.CharField(max_length=100, unique=True, help_text="Billing's identifier.")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transactions")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions")
    item = models.ForeignKey(ControlledItem, on_delete=models.PROTECT, related_name="transactions")
    activity = models.CharField(max_length=20, choices=Activity.choices)
    destination_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", help_text="Where the item goes or is released."
    )
    quantity = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        max_length=3, default="USD", validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code.")]
    )
    end_use = models.TextField(blank=True)
    requested_at = models.DateTimeField()

    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reasons = models.JSONField(default=list, blank=True)
    # What the decision was made under (`licensing.cases.basis`): empty for decisions recorded before it was kept.
    decision_basis = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    attributed_country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where the decision attributed the release (the destination, or 734.13(b) for deemed).",
    )
    licence = models.ForeignKey(
        "Licence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
        help_text="The licence the authorisation relies on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["decision", "requested_at"])]

    def __str__(self):
        return f"Transaction {self.external_id}"

    def clean(self):
        # Our own employees have no customer; anyone else must be this customer's.
        if self.person_id and self.person.customer_id not in (None, self.customer_id):
            raise ValidationError({"person": "The person belongs to another customer."})


class ApplicationType(models.TextChoices):
    EXPORT = "export", "Export"
    REEXPORT = "reexport", "Reexport"
    IN_COUNTRY_TRANSFER = "in_country_transfer", "In-country transfer"
    CLASSIFICATION = "classification", "Classification"


def application_type_for(activity: str) -> str:
    # A deemed export is filed as an export, a deemed reexport as a reexport.
    types: dict[str, str] = {
        Activity.EXPORT: ApplicationType.EXPORT,
        Activity.DEEMED_EXPORT: ApplicationType.EXPORT,
        Activity.REEXPORT: ApplicationType.REEXPORT,
        Activity.DEEMED_REEXPORT: ApplicationType.REEXPORT,
        Activity.IN_COUNTRY_TRANSFER: ApplicationType.IN_COUNTRY_TRANSFER,
    }
    return types[activity]


class SupportingDocumentKind(models.TextChoices):
    """Block 6 of the BIS-748P: documents submitted with the application."""

    FORM_748P_A = "748p_a", "BIS-748P-A (item appendix)"
    FORM_748P_B = "748p_b", "BIS-748P-B (end-user appendix)"
    FORM_711 = "bis_711", "BIS-711 statement by ultimate consignee and purchaser"
    IMPORT_CERTIFICATE = "import_certificate", "Import/end-user certificate"
    TECHNICAL_SPECIFICATIONS = "technical_specifications", "Technical specifications"
    LETTER_OF_EXPLANATION = "letter_of_explanation", "Letter of explanation"
    FOREIGN_AVAILABILITY = "foreign_availability", "Foreign availability"
    OTHER = "other", "Other"


acn_validator = RegexValidator(
    r"^[A-Z][0-9]{6}$", "An Application Control Number is a letter and six digits, e.g. Z123456."
)


class ApplicationQuerySet(models.QuerySet["LicenceApplication"]):
    def open(self) -> "ApplicationQuerySet":
        return self.exclude(status__in=FINAL_APPLICATION_STATUSES)

    def with_status(self, *statuses):
        return self.filter(status__in=statuses)

    def assigned_to(self, user):
        return self.filter(assigned_officer=user)


class LicenceApplication(models.Model):
    """A BIS-748P application for one transaction, from draft to BIS's decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED_FOR_FILING = "approved_for_filing", "Approved for filing"
        SUBMITTED = "submitted", "Submitted to BIS"
        REGISTERED = "registered", "Registered"
        INFORMATION_REQUESTED = "information_requested", "Information requested"
        PRE_LICENCE_CHECK = "pre_licence_check", "Pre-licence check"
        REFERRED = "referred", "Referred to agencies"
        ESCALATED = "escalated", "Escalated"
        INTENT_TO_DENY = "intent_to_deny", "Intent to deny"
        INTENT_TO_DENY_ANSWERED = "intent_to_deny_answered", "Intent to deny answered"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        DENIED = "denied", "Denied"
        RETURNED_WITHOUT_ACTION = "returned_without_action", "Returned without action"
        RETURNED_NOT_REQUIRED = "returned_not_required", "Returned: licence not required"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Usually one per transaction; a resubmission after a return without
    # action, or a new licence after expiry, is a further application.
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="applications")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # What the application asks to export to, as filed and as the licence it
    # leads to will read: the transaction's destination, or for a deemed
    # export or reexport the country the release is attributed to (734.13(b)).
    # Set when the draft is opened; empty only on rows older than the field.
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="country of ultimate destination",
        help_text="The destination, or for a deemed export or reexport the attribution country.",
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    # The letter wanted one application per transaction: the licence then
    # authorises this transaction alone, which ends when its use is recorded
    # (762.6 counts retention from then). False on rows older than the field,
    # which wait for the licence to end instead: never a shorter retention.
    one_transaction = models.BooleanField(
        default=False, help_text="The requirement wanted one licence application per transaction."
    )
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_for_filing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    snapr_control_number = models.CharField(
        "SNAP-R application control number", max_length=7, blank=True, validators=[acn_validator]
    )
    submitted_on = models.DateField(null=True, blank=True)
    registered_on = models.DateField(null=True, blank=True)

    # BIS-748P blocks, numbered as on the form.
    contact_name = models.CharField("1 contact person", max_length=150, blank=True)
    contact_phone = models.CharField("2 telephone", max_length=40, blank=True)
    contact_fax = models.CharField("3 fax", max_length=40, blank=True)
    application_date = models.DateField("4 date of application", null=True, blank=True)
    application_type = models.CharField("5 type of application", max_length=20, choices=ApplicationType.choices)
    documents_submitted = models.JSONField("6 documents submitted with application", default=list, blank=True)
    documents_on_file = models.JSONField("7 documents on file with applicant", default=list, blank=True)
    special_comprehensive_licence = models.BooleanField("8 special comprehensive licence", default=False)
    special_purpose = models.CharField("9 special purpose", max_length=300, blank=True)
    resubmission_control_number = models.CharField(
        "10 resubmission application control number", max_length=7, blank=True, validators=[acn_validator]
    )
    replacement_licence_number = models.CharField("11 replacement licence number", max_length=20, blank=True)
    items_previously_exported = models.CharField("12 items previously exported", max_length=300, blank=True)
    import_certificate = models.CharField(
        "13 import/end-user certificate (country and number)", max_length=200, blank=True
    )
    specific_end_use = models.TextField("21 specific end use", blank=True)
    additional_information = models.TextField("24 additional information", blank=True)
    signer_name = models.CharField("25 signature: name", max_length=150, blank=True)
    signer_title = models.CharField("25 signature: title", max_length=150, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_for_filing_by__isnull=True) | ~Q(approved_for_filing_by=F("prepared_by")),
                name="application_four_eyes",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"EXD-{self.pk:06d}" if self.pk else "EXD-(unsaved)"

    @property
    def total_value(self) -> Decimal:
        """Block 23: the sum of the item lines' total prices."""
        return sum((line.total_price or Decimal(0) for line in self.items.all()), Decimal(0))

    def clean(self):
        valid = set(SupportingDocumentKind.values)
        for field_name in ("documents_submitted", "documents_on_file"):
            value = getattr(self, field_name)
            if not isinstance(value, list) or set(value) - valid:
                raise ValidationError({field_name: f"Use the document kinds: {', '.join(sorted(valid))}."})


# Outcomes after which BIS does nothing more with the application: the
# application machine (workflow.py) has no move out of them.
FINAL_APPLICATION_STATUSES = frozenset(
    {
        LicenceApplication.Status.APPROVED,
        LicenceApplication.Status.APPROVED_WITH_CONDITIONS,
        LicenceApplication.Status.DENIED,
        LicenceApplication.Status.RETURNED_WITHOUT_ACTION,
        LicenceApplication.Status.RETURNED_NOT_REQUIRED,
        LicenceApplication.Status.WITHDRAWN,
    }
)


class ApplicationParty(models.Model):
    """A party named in the application in one of the BIS-748P roles (blocks 14 to 20)."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", "14 Applicant"
        OTHER_PARTY = "other_party", "15 Other party authorised to receive licence"
        PURCHASER = "purchaser", "16 Purchaser"
        INTERMEDIATE_CONSIGNEE = "intermediate_consignee", "17 Intermediate consignee"
        ULTIMATE_CONSIGNEE = "ultimate_consignee", "18 Ultimate consignee"
        END_USER = "end_user", "19 End user"
        ORIGINAL_ULTIMATE_CONSIGNEE = "original_ultimate_consignee", "20 Original ultimate consignee"

    # Only block 19 may repeat (further end users go on the BIS-748P-B).
    SINGLE_ROLES = frozenset(Role.values) - {Role.END_USER}

    application = models.ForeignKey(LicenceApplication, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=30, choices=Role.choices)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=300)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    telephone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=1)

    # Not columns: set on the parties the decision facts load (licensing.cases.facts),
    # what screening last saw and the linked customer's or person's name.
    screened_as: str | None
    linked_name: str | None

    class Meta:
        ordering = ["role", "position"]
        verbose_name_plural = "application parties"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "role"],
                condition=~Q(role="end_user"),
                name="one_party_per_single_role",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.name}"


class ApplicationItem(models.Model):
    """Block 22: one item line (a to j)."""

    application = models.ForeignKey(LicenceApplication, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=1)
    eccn = models.CharField("22a ECCN", max_length=10)
    ctp = models.CharField("22b CTP", max_length=40, blank=True)
    model_number = models.CharField("22c model number", max_length=100, blank=True)
    ccats_number = models.CharField("22d CCATS number", max_length=20, blank=True)
    quantity = models.DecimalField("22e quantity", max_digits=14, decimal_places=2, null=True, blank=True)
    units = models.CharField("22f units", max_length=20, blank=True)
    unit_price = models.DecimalField("22g unit price", max_digits=14, decimal_places=2, null=True, blank=True)
    total_price = models.DecimalField("22h total price", max_digits=14, decimal_places=2, null=True, blank=True)
    manufacturer = models.CharField("22i manufacturer", max_length=200, blank=True)
    technical_description = models.TextField("22j technical description", blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="one_item_per_position"),
        ]

    def __str__(self):
        return f"Item {self.position}: {self.eccn} {self.model_number}"


def supporting_document_path(instance, filename):
    return f"applications/{instance.application_id}/{instance.token}"


class SupportingDocument(models.Model):
    application = models.ForeignKey(LicenceApplication, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=SupportingDocumentKind.choices)
    file = models.FileField(upload_to=supporting_document_path, max_length=300)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(max_length=255)
    description = models.CharField(max_length=300, blank=True)
    signed_on = models.DateField(null=True, blank=True, help_text="For a BIS-711: the date it was signed.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_kind_display()} for {self.application}"


class LicenceQuerySet(models.QuerySet["Licence"]):
    def active_on(self, on: datetime.date) -> "LicenceQuerySet":
        return self.filter(status=Licence.Status.ACTIVE, valid_from__lte=on, valid_until__gte=on)

    def standing_on(self, status: str, on: datetime.date):
        """Licences whose status as it stands on the day (`Licence.standing_on`) is `status`."""
        lapsed = Q(status=Licence.Status.ACTIVE, valid_until__lt=on)
        if status == Licence.Status.ACTIVE:
            return self.filter(status=status).exclude(lapsed)
        if status == Licence.Status.EXPIRED:
            return self.filter(Q(status=status) | lapsed)
        return self.filter(status=status)


# The largest metered allowance: the gateway's counter (a Redis script) counts exactly only below 2**53.
METERED_MAXIMUM = 10**15


class Licence(models.Model):
    """A licence BIS issued: its scope, validity, conditions and what has been used of it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        EXHAUSTED = "exhausted", "Exhausted"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"
        REPLACED = "replaced", "Replaced"

    number = models.CharField(
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]{4,20}$", "Use 4 to 20 capital letters, digits and hyphens.")],
    )
    application = models.OneToOneField(LicenceApplication, on_delete=models.PROTECT, related_name="licence")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The scope as issued; copied from the application so a licence reads on its own.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="licences")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="licences")
    item = models.ForeignKey(ControlledItem, on_delete=models.PROTECT, related_name="licences")
    activity = models.CharField(max_length=20, choices=Activity.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Destination, or for a deemed release the attribution country.",
    )
    # 750.7(a)(3): a licence to an entity covers its permanent, regular
    # employees unless a condition says otherwise.
    covers_employees = models.BooleanField(default=True)
    valid_from = models.DateField()
    valid_until = models.DateField()
    # Software and technology are not limited by quantity or value (750.7(f)).
    authorised_quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    authorised_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    quantity_used = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    value_used = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # What the licence authorises of a model through the gateway, when a condition limits it: calls and
    # tokens, counted per call (licensing.gateway.metering). Empty: not metered.
    authorised_calls = models.PositiveBigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(METERED_MAXIMUM)]
    )
    authorised_tokens = models.PositiveBigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(METERED_MAXIMUM)]
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LicenceQuerySet.as_manager()

    # Not a column: set on the licences the decision facts load (licensing.cases.facts),
    # the transaction the licence's application was made for, if any.
    application_transaction_id: int | None

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="licence_valid_range"),
            models.CheckConstraint(
                condition=Q(authorised_quantity__isnull=True) | Q(quantity_used__lte=F("authorised_quantity")),
                name="licence_quantity_not_overdrawn",
            ),
            models.CheckConstraint(
                condition=Q(authorised_value__isnull=True) | Q(value_used__lte=F("authorised_value")),
                name="licence_value_not_overdrawn",
            ),
        ]

    def __str__(self):
        return f"Licence {self.number}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "The licence cannot expire before it is valid."})

    def is_valid_on(self, on: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.valid_from <= on <= self.valid_until

    def standing_on(self, on: datetime.date) -> str:
        """The status as it stands on a day: past its last valid day an active licence is expired.

        The nightly task records the expiry as an event; until it has run,
        everything that shows or uses the licence reads this, not the stored status.
        """
        if self.status == self.Status.ACTIVE and on > self.valid_until:
            return self.Status.EXPIRED
        return self.status

    @property
    def standing(self) -> str:
        return self.standing_on(timezone.localdate())

    def get_standing_display(self) -> str:
        return self.Status(self.standing).label

    def remaining_quantity(self) -> Decimal | None:
        return None if self.authorised_quantity is None else self.authorised_quantity - self.quantity_used

    def remaining_value(self) -> Decimal | None:
        return None if self.authorised_value is None else self.authorised_value - self.value_used

    @property
    def is_metered(self) -> bool:
        """Whether the gateway counts this licence's calls against a limit."""
        return self.authorised_calls is not None or self.authorised_tokens is not None


class LicenceReviewQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=LicenceReview.Status.OPEN)


class LicenceReview(models.Model):
    """A licence to look at again because a party to it was confirmed on a restricted-party list.

    A licence issued before the listing does not authorise what the listing
    requires: BIS may revoke or suspend it (750.8). Until an officer has
    looked, the decision holds what relies on it.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="reviews")
    # The confirmed match that calls for the review.
    hit = models.ForeignKey("screening.Hit", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LicenceReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One review per licence and match: confirming twice, or a re-screen, opens no second one.
            models.UniqueConstraint(fields=["licence", "hit"], name="one_review_per_licence_and_hit"),
        ]

    def __str__(self):
        return f"Review of {self.licence} ({self.get_status_display().lower()})"


class LicenceCondition(models.Model):
    """A rider on the licence; someone must acknowledge having read it."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"Condition {self.position} of {self.licence}"


class LicenceUsage(models.Model):
    """What one transaction used of a licence: drawn down under a row lock, once per transaction."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="usages")
    # One usage per transaction, so a client retrying a call never draws twice.
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="licence_usage")
    quantity = models.DecimalField(max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    value = models.DecimalField(max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    used_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who recorded it when no person did: the API client's name.
    recorded_via = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0) & Q(value__gte=0), name="licence_usage_not_negative"),
        ]

    def __str__(self):
        return f"{self.transaction} used {self.quantity} units / {self.value} of {self.licence}"


class DecisionStamp(models.Model):
    """A version of everything a customer's decisions read, changed by the database on every change to it.

    PostgreSQL triggers (migration 0003) give a customer's row a new version,
    from one sequence, whenever a row feeding its decisions is written: the
    customer, its persons, determinations, applications, licences, screenings
    and hits. Row `REFERENCE_DATA` is versioned the same way on any change to
    the reference data a decision reads (items, requirements, country groups,
    lists). Equal versions mean nothing a decision reads has changed, which is
    what lets the access check reuse an answer (`licensing.api.access`).
    Versions are never reused, even across rolled-back transactions. SQLite
    has no triggers here: its rows never exist, and nothing is reused.
    """

    REFERENCE_DATA = 0

    # A customer's id, or REFERENCE_DATA. Not a foreign key: a deleted customer's stamp is harmless.
    customer_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    def __str__(self):
        return f"decision stamp {self.customer_id}: {self.version}"


# The case's papers beside its status live in their own module; imported here so Django registers them.
from .correspondence import ConsigneeStatement, InformationRequest, IntentToDenyResponse  # noqa: E402, F401
from .ownership_rule import OwnershipRulePeriod  # noqa: E402, F401
