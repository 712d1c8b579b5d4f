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
