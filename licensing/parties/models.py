import datetime
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from licensing.reference.models import Country


class Customer(models.Model):
    class Kind(models.TextChoices):
        ENTITY = "entity", "Entity"
        INDIVIDUAL = "individual", "Individual"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        BLOCKED = "blocked", "Blocked"

    external_id = models.CharField(
        max_length=100, unique=True, help_text="Billing's identifier; how billing refers to the customer."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    legal_name = models.CharField(max_length=300, db_index=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, trade names, transliterations.")
    country_of_incorporation = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For an entity, where it is incorporated or organised; for an individual, residence.",
    )
    headquarters_country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ultimate_parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="ultimate_subsidiaries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self):
        return self.legal_name

    def clean(self):
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            raise ValidationError({"aliases": "Give the aliases as a list of names."})
        if self.ultimate_parent_id and self.ultimate_parent_id == self.pk:
            raise ValidationError({"ultimate_parent": "A customer cannot be its own ultimate parent."})
        if self.pk is not None:
            stored = Customer.objects.filter(pk=self.pk).values_list("external_id", flat=True).first()
            # Billing asks about the customer by this id: changed, its checks would answer 404.
            if stored is not None and stored != self.external_id:
                raise ValidationError(
                    {"external_id": f"Billing's id {stored} cannot change after the customer is created."}
                )


class CustomerAddress(models.Model):
    class Kind(models.TextChoices):
        REGISTERED = "registered", "Registered office"
        HEADQUARTERS = "headquarters", "Headquarters"
        FACILITY = "facility", "Facility"
        BILLING = "billing", "Billing"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.REGISTERED)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "customer addresses"

    def __str__(self):
        return ", ".join(p for p in (self.line1, self.line2, self.city, self.postal_code, self.country.name) if p)


class Ownership(models.Model):
    """An ownership edge: `owner` holds `percentage` of `owned`, as verified on a date."""

    owned = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="owners")
    owner = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="holdings")
    # Owners that are not customers (funds, states, individuals) are named here.
    owner_name = models.CharField(max_length=300, blank=True)
    percentage = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    verified_on = models.DateField()
    source = models.CharField(max_length=300, help_text="Where the figure comes from (registry, filing).")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(owner_name=""), name="ownership_names_an_owner"
            ),
            models.CheckConstraint(
                condition=Q(percentage__gt=0) & Q(percentage__lte=100), name="ownership_percentage_range"
            ),
        ]

    def __str__(self):
        return f"{self.owner or self.owner_name} owns {self.percentage}% of {self.owned}"

    def clean(self):
        if self.owner_id is None and not self.owner_name:
            raise ValidationError({"owner": "Name the owner: a customer or a name."})
        if self.owner_id and self.owner_id == self.owned_id:
            raise ValidationError({"owner": "A customer cannot own itself."})
        if self.owned_id and self.percentage is not None:
            others = (
                Ownership.objects.filter(owned_id=self.owned_id)
                .exclude(pk=self.pk)
                .aggregate(total=models.Sum("percentage"))["total"]
                or 0
            )
            if others + self.percentage > 100:
                raise ValidationError(
                    {"percentage": f"Owners would hold {others + self.percentage}% in all; at most 100%."}
                )


class Person(models.Model):
    """A natural person who receives access: a customer's user or one of our own employees."""

    class Relationship(models.TextChoices):
        CUSTOMER_USER = "customer_user", "Customer's user"
        ACCOUNT_HOLDER = "account_holder", "Individual customer (account holder)"
        EMPLOYEE = "employee", "Our employee"

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="persons")
    external_id = models.CharField(
        max_length=100, blank=True, help_text="Billing's identifier for this person, unique per customer."
    )
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    given_name = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)
    employer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="employees")
    employer_name = models.CharField(max_length=300, blank=True)
    location_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", help_text="Where the person is located."
    )
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique_per_customer",
            ),
            models.CheckConstraint(
                condition=~Q(relationship="customer_user") | Q(customer__isnull=False),
                name="customer_user_has_customer",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    def clean(self):
        if self.relationship in (self.Relationship.CUSTOMER_USER, self.Relationship.ACCOUNT_HOLDER):
            if self.customer_id is None:
                raise ValidationError({"customer": "A customer's user belongs to a customer."})
        if self.date_of_birth is not None:
            if self.date_of_birth > timezone.localdate():
                raise ValidationError({"date_of_birth": f"The date of birth {self.date_of_birth} is in the future."})
            earliest = (
                self.status_records.order_by("acquired_on").values_list("acquired_on", flat=True).first()
                if self.pk is not None
                else None
            )
            if earliest is not None and earliest < self.date_of_birth:
                raise ValidationError(
                    {
                        "date_of_birth": f"A status is recorded from {earliest}, before this date of birth; "
                        "correct one or the other."
                    }
                )


class StatusRecord(models.Model):
    """One dated citizenship, permanent residency or protected-individual status of a person.

    Together the records are the person's history; determinations read them as
    of a date, so nothing is ever overwritten: a status that ends gets an end date.
    """

    class Kind(models.TextChoices):
        CITIZENSHIP = "citizenship", "Citizenship"
        PERMANENT_RESIDENCY = "permanent_residency", "Permanent residency"
        # Refugee or asylee, 8 U.S.C. 1324b(a)(3); only ever a U.S. status.
        PROTECTED_INDIVIDUAL = "protected_individual", "Protected individual (U.S.)"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="status_records")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    acquired_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["acquired_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("acquired_on")),
                name="status_ends_after_acquired",
            ),
            models.CheckConstraint(
                condition=~Q(kind="protected_individual") | Q(country="US"),
                name="protected_individual_is_us_status",
            ),
        ]

    def __str__(self):
        ended = f" until {self.ended_on}" if self.ended_on else ""
        return f"{self.get_kind_display()} of {self.country_id} from {self.acquired_on}{ended}"

    def clean(self):
        if self.ended_on and self.acquired_on and self.ended_on <= self.acquired_on:
            raise ValidationError({"ended_on": "Ends on or before the day it was acquired."})
        if self.kind == self.Kind.PROTECTED_INDIVIDUAL and self.country_id != "US":
            raise ValidationError({"country": "Protected-individual status is a U.S. status."})
        if self.acquired_on is None:
            return
        # A status is recorded once held: one that starts later is recorded when it does.
        if self.acquired_on > timezone.localdate():
            raise ValidationError({"acquired_on": f"{self.acquired_on} is in the future; record a status once held."})
        born = self.person.date_of_birth if self.person_id else None
        if born is not None and self.acquired_on < born:
            raise ValidationError({"acquired_on": f"{self.acquired_on} is before the person's birth on {born}."})

    def held_on(self, on: datetime.date) -> bool:
        return self.acquired_on <= on and (self.ended_on is None or self.ended_on > on)


class PersonAddressQuerySet(models.QuerySet["PersonAddress"]):
    def held_on(self, on: datetime.date) -> "PersonAddressQuerySet":
        """Addresses the person lived at on `on`, the most recent first."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), since_on__lte=on).order_by("-since_on", "-id")


class PersonAddress(models.Model):
    """Where a person lives, from a day: block 19 of a deemed-export application names it.

    Kept as history like the status records: a move ends the old address on
    the day the new one starts, so an application filed earlier is rendered
    again with the address it was filed with.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True, help_text="State, province or county.")
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    since_on = models.DateField(help_text="The first day the person lived here.")
    ended_on = models.DateField(null=True, blank=True, help_text="The day they moved out; empty while current.")

    objects = PersonAddressQuerySet.as_manager()

    class Meta:
        ordering = ["-since_on", "-id"]
        verbose_name_plural = "person addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("since_on")),
                name="person_address_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return ", ".join(p for p in (self.street, self.locality, self.country.name) if p)

    def clean(self):
        if self.since_on and self.ended_on and self.ended_on <= self.since_on:
            raise ValidationError({"ended_on": f"Ends on {self.ended_on}, not after it starts on {self.since_on}."})
        # Recorded once lived at, as a status is recorded once held.
        if self.since_on and self.since_on > timezone.localdate():
            raise ValidationError({"since_on": f"{self.since_on} is in the future; record an address once moved in."})

    @property
    def street(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2) if p)

    @property
    def locality(self) -> str:
        """The city with its region, as a form's city line wants it."""
        return ", ".join(p for p in (self.city, self.region) if p)


def address_held_on(person_id: int, on: datetime.date) -> PersonAddress | None:
    """The address a person lived at on a day, or None if none is recorded for it."""
    return PersonAddress.objects.held_on(on).filter(person_id=person_id).select_related("country").first()


class Visa(models.Model):
    """A U.S. visa a foreign national in the United States holds: its type, number and expiry.

    Each visa recorded is kept; the latest recorded is the person's current
    one. The number identifies the person, so lists never show it and events
    record only its last four characters.
    """

    class Kind(models.TextChoices):
        H1B = "h1b", "H-1B specialty occupation"
        L1 = "l1", "L-1 intracompany transferee"
        O1 = "o1", "O-1 extraordinary ability"
        E3 = "e3", "E-3 Australian specialty occupation"
        TN = "tn", "TN (USMCA professional)"
        F1 = "f1", "F-1 student (including OPT)"
        J1 = "j1", "J-1 exchange visitor"
        B1 = "b1", "B-1/B-2 visitor"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="visas")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    number = models.CharField(
        max_length=20,
        validators=[
            RegexValidator(
                r"^[A-Z0-9]{6,20}$",
                "Give the visa number as printed: 6 to 20 letters and digits, no spaces.",
            )
        ],
        help_text="As printed on the visa foil (the red number).",
    )
    expires_on = models.DateField(help_text="The expiry date printed on the visa.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} visa of {self.person}, expires {self.expires_on}"

    def get_absolute_url(self):
        # A visa is read on its holder's page (its expiry clock links here).
        return reverse("person_detail", args=[self.person_id])

    @property
    def masked_number(self) -> str:
        """The number with all but its last four characters hidden."""
        return f"…{self.number[-4:]}" if self.number else ""


def evidence_path(instance, filename):
    # The stored name says nothing about the person; the original name is kept in the row.
    # The extension is the detected content's (see attach_evidence), never the uploader's.
    return f"evidence/{instance.person_id}/{instance.token}{PurePath(filename).suffix}"


class EvidenceDocument(models.Model):
    """A passport, visa, resume or certificate supporting a determination; compliance eyes only."""

    class Kind(models.TextChoices):
        PASSPORT = "passport", "Passport"
        VISA = "visa", "Visa"
        PERMANENT_RESIDENT_CARD = "green_card", "Permanent resident card"
        NATURALISATION_CERTIFICATE = "naturalisation", "Naturalisation certificate"
        RESUME = "resume", "Resume"
        INCORPORATION_RECORD = "incorporation", "Incorporation record"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(max_length=255)
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.person}"
