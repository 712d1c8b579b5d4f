import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

UNITED_STATES = "US"


class Country(models.Model):
    code = models.CharField("ISO 3166-1 alpha-2 code", max_length=2, primary_key=True)
    name = models.CharField(max_length=100)
    # The EAR spells some names its own way ("Korea, South", "Burma").
    ear_name = models.CharField("name in the EAR", max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name


class CountryGroup(models.Model):
    """A country group of Supplement No. 1 to Part 740, such as D:1 or E:1."""

    code = models.CharField(max_length=8, primary_key=True)
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.label}"


class CountryGroupMembershipQuerySet(models.QuerySet):
    def in_force_on(self, on: datetime.date):
        return self.filter(Q(effective_from__lte=on), Q(effective_until__isnull=True) | Q(effective_until__gt=on))


class CountryGroupMembership(models.Model):
    """A country's membership of a group, dated, because the groups change by rule."""

    group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, related_name="memberships")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="group_memberships")
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text="Exclusive; empty while in force.")
    source = models.CharField(max_length=200, blank=True)

    objects = CountryGroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "country"]
        constraints = [
            models.UniqueConstraint(fields=["group", "country", "effective_from"], name="one_membership_per_start"),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gt=models.F("effective_from")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.country_id} in {self.group_id} from {self.effective_from}"


# Destinations refused outright (Supp. 1 to Part 740, E:1 and E:2).
EMBARGO_GROUPS = ("E:1", "E:2")


def embargo_data_in_force(on: datetime.date) -> bool:
    return CountryGroupMembership.objects.in_force_on(on).filter(group_id__in=EMBARGO_GROUPS).exists()


def groups_of(country_code: str, on: datetime.date) -> set[str]:
    return set(
        CountryGroupMembership.objects.in_force_on(on)
        .filter(country_id=country_code)
        .values_list("group_id", flat=True)
    )


class ControlledItem(models.Model):
    code = models.SlugField(max_length=40, unique=True, help_text="How billing names the item.")
    name = models.CharField(max_length=200)
    eccn = models.CharField("ECCN", max_length=10)
    description = models.TextField(blank=True)
    manufacturer = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.eccn})"


class Activity(models.TextChoices):
    EXPORT = "export", "Export"
    REEXPORT = "reexport", "Reexport"
    IN_COUNTRY_TRANSFER = "in_country_transfer", "In-country transfer"
    DEEMED_EXPORT = "deemed_export", "Deemed export"
    DEEMED_REEXPORT = "deemed_reexport", "Deemed reexport"

    @classmethod
    def deemed(cls) -> set[str]:
        # A deemed release is attributed to the recipient's country (734.13(b)),
        # not to where the release physically happens.
        return {cls.DEEMED_EXPORT, cls.DEEMED_REEXPORT}


class LicenceRequirementQuerySet(models.QuerySet):
    def in_force_on(self, on: datetime.date):
        return self.filter(Q(effective_from__lte=on), Q(effective_until__isnull=True) | Q(effective_until__gte=on))


class LicenceRequirement(models.Model):
    """An "is informed" letter (or rule) as data: what needs a licence, for whom."""

    class Scope(models.TextChoices):
        FOREIGN_PERSONS = "foreign_persons", "Any foreign person or entity"
        COUNTRY_GROUPS = "country_groups", "Destinations in the named country groups"
        ALL_DESTINATIONS = "all_destinations", "All destinations"

    title = models.CharField(max_length=200)
    issuing_authority = models.CharField(max_length=200, default="U.S. Department of Commerce, BIS")
    letter_reference = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField()
    legal_basis = models.CharField(max_length=200, help_text="For example: 15 CFR 744.21(b) (is informed).")
    items = models.ManyToManyField(ControlledItem, related_name="licence_requirements")
    activities = models.JSONField(default=list, help_text="Activity codes the letter covers.")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    country_groups = models.ManyToManyField(CountryGroup, blank=True, related_name="+")
    licence_exceptions_excluded = models.BooleanField(default=True)
    application_per_transaction = models.BooleanField(
        default=True, help_text="Each transaction needs its own licence application."
    )
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text="Inclusive; empty while in force.")
    text = models.TextField(blank=True)

    objects = LicenceRequirementQuerySet.as_manager()

    # Not a column: set on the requirements the decision facts load (licensing.cases.facts),
    # the codes of the country groups the requirement names.
    group_codes: set[str]

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self):
        return self.title

    def clean(self):
        valid = set(Activity.values)
        if not isinstance(self.activities, list) or not self.activities:
            raise ValidationError({"activities": "List at least one activity."})
        unknown = set(self.activities) - valid
        if unknown:
            raise ValidationError({"activities": f"Unknown activities: {', '.join(sorted(unknown))}."})
        if self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": "Ends before it starts."})

    def covers_activity(self, activity: str) -> bool:
        return activity in self.activities


class RequirementRelaxationQuerySet(models.QuerySet):
    def in_force_on(self, on: datetime.date):
        return self.filter(Q(effective_from__lte=on), Q(effective_until__isnull=True) | Q(effective_until__gte=on))


class RequirementRelaxation(models.Model):
    """A dated exception to a licence requirement: where, for whom or for what the letter no longer asks a licence.

    Written only when an approved rule change (`licensing.policy`) is put on
    record, and read by the decision from `effective_from`: a change
    approved for a later day changes no decision before that day.
    """

    class Kind(models.TextChoices):
        COUNTRY_GROUP = "country_group", "Destinations in a country group"
        CUSTOMERS = "customers", "Named trusted partners"
        ITEM = "item", "One item"

    requirement = models.ForeignKey(LicenceRequirement, on_delete=models.PROTECT, related_name="relaxations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country_group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Named by label: the parties app sits above the reference data and is never imported here.
    customers = models.ManyToManyField("parties.Customer", blank=True, related_name="+")
    item = models.ForeignKey(ControlledItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True, help_text="Inclusive; empty while in force.")
    change_number = models.PositiveIntegerField(help_text="The number of the rule change that made it.")

    objects = RequirementRelaxationQuerySet.as_manager()

    # Not a column: set on the relaxations the decision facts load (licensing.cases.facts),
    # the ids of the named customers the facts are about.
    customer_ids: set[int]

    class Meta:
        ordering = ["effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="country_group", country_group__isnull=False, item__isnull=True)
                    | Q(kind="customers", country_group__isnull=True, item__isnull=True)
                    | Q(kind="item", country_group__isnull=True, item__isnull=False)
                ),
                name="relaxation_names_what_its_kind_needs",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="relaxation_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.requirement_id} relaxed ({self.kind}) from {self.effective_from} by change #{self.change_number}"

    def lifts(self, *, requirement_id: int, customer_id: int | None, item_id: int | None, groups: set[str]) -> bool:
        """Whether this lifts the requirement for a request by this customer, for this item, to these groups."""
        if requirement_id != self.requirement_id:
            return False
        if self.kind == self.Kind.COUNTRY_GROUP:
            return self.country_group_id in groups
        if self.kind == self.Kind.ITEM:
            return item_id is not None and item_id == self.item_id
        return customer_id is not None and customer_id in self.customer_ids
