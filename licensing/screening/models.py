"""Restricted-party lists as dated versions, the screening of customers, persons and parties, and hits.

A list is imported as a `ListVersion` of its feed (the CSL, or OFAC's SDN
files) with one `ListEntry` per listed party. Exactly one version per feed is
in force; a new one takes over only once it is completely loaded. A subject's
latest screening is kept in `SubjectScreening`; each listed party it
resembles is a `Hit` that an officer adjudicates. Hits are keyed by the
entry's stable key, not by the version, so an adjudication outlives list
updates that leave the entry as it was.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from licensing.cases.models import ApplicationParty
from licensing.parties.models import Customer, Person

from .matching.names import AIRCRAFT, ENTITY, INDIVIDUAL, UNKNOWN, VESSEL

# What is screened: a customer, a person, or a party named on an application.
Subject = Customer | Person | ApplicationParty


class Feed(models.TextChoices):
    CSL = "csl", "Consolidated Screening List (trade.gov)"
    OFAC_SDN = "ofac_sdn", "OFAC SDN list (legacy CSV files)"


class EntryType(models.TextChoices):
    INDIVIDUAL = INDIVIDUAL, "Individual"
    ENTITY = ENTITY, "Entity"
    VESSEL = VESSEL, "Vessel"
    AIRCRAFT = AIRCRAFT, "Aircraft"
    UNKNOWN = UNKNOWN, "Not stated"


class ListVersionQuerySet(models.QuerySet["ListVersion"]):
    def in_force(self) -> "ListVersionQuerySet":
        return self.filter(status=ListVersion.Status.IN_FORCE)


class ListVersion(models.Model):
    """One publication of a feed, as imported."""

    class Status(models.TextChoices):
        LOADING = "loading", "Loading"
        IN_FORCE = "in_force", "In force"
        SUPERSEDED = "superseded", "Superseded"
        FAILED = "failed", "Failed while loading"

    feed = models.CharField(max_length=10, choices=Feed.choices)
    published_on = models.DateField(help_text="The date of the list as published.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LOADING)
    source = models.CharField(max_length=1000, help_text="The files or URLs it was read from.")
    # Equal for two publications with the same entries: an unchanged list is not imported twice.
    digest = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows and entries per list (EL, DPL, SDN...).")
    # Entries added, removed and changed against the version it replaced ({} for a feed's first version).
    change_counts = models.JSONField(default=dict, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    in_force_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ListVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed"], condition=Q(status="in_force"), name="one_version_in_force_per_feed"
            )
        ]

    def __str__(self):
        return f"{self.get_feed_display().split(' (')[0]} of {self.published_on:%Y-%m-%d} (#{self.pk})"

    def counts_by_list(self) -> list[tuple[str, int, int]]:
        """(list, entries, rows) for each list in the version, largest first."""
        rows = [(code, c.get("entries", 0), c.get("rows", 0)) for code, c in self.counts.items()]
        return sorted(rows, key=lambda row: (-row[1], row[0]))


class ListEntry(models.Model):
    """One listed party in one version of a list."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    # The same party keeps its key from version to version; the fingerprint
    # changes whenever anything published about it changes.
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    list_code = models.CharField(max_length=16, help_text="EL, DPL, UVL, MEU, SDN, SSI...")
    source = models.CharField(max_length=300, help_text="The list as the source names it.")
    entity_number = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=10, choices=EntryType.choices, blank=True)
    name = models.TextField()
    alt_names = models.JSONField(default=list, blank=True)
    addresses = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    programs = models.JSONField(default=list, blank=True)
    federal_register_notice = models.TextField(blank=True)
    license_requirement = models.TextField(blank=True)
    license_policy = models.TextField(blank=True)
    remarks = models.TextField(blank=True)
    source_list_url = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "id"]
        verbose_name_plural = "list entries"
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_entry_per_key_per_version")]
        indexes = [models.Index(fields=["key"])]

    def __str__(self):
        return f"{self.name} ({self.list_code})"

    @property
    def list_name(self) -> str:
        return self.source.split(" - ")[0]


class ListImport(models.Model):
    """One attempt to import a feed: its progress, its outcome, and why it failed if it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported as a new version"
        UNCHANGED = "unchanged", "Unchanged: the version in force already has these entries"
        FAILED = "failed", "Refused"

    feed = models.CharField(max_length=10, choices=Feed.choices)
    # Where each file comes from: {"list": path-or-URL} for the CSL,
    # {"sdn": ..., "alt": ..., "add": ...} for OFAC.
    sources = models.JSONField()
    file_format = models.CharField(max_length=4, blank=True, help_text="csv or json; empty to tell by the file.")
    published_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=100, blank=True)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    version = models.ForeignKey(ListVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="imports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Import #{self.pk} of {self.get_feed_display()}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.IMPORTED, self.Status.UNCHANGED, self.Status.FAILED)


class ListChangeQuerySet(models.QuerySet):
    def that_can_add_hits(self):
        """Entries a subject may newly resemble: added ones, and changed ones whose names or type changed."""
        return self.filter(matchable=True)


# What the matcher reads of an entry: a change in these can make a new hit.
MATCHED_FIELDS = ("name", "alt_names", "type", "countries")


class ListChange(models.Model):
    """One entry added, removed or changed by a list version, against the version it replaced."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"
        CHANGED = "changed", "Changed"

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The entry's stable key (list and the source's own id), the same in both versions.
    key = models.CharField(max_length=200)
    name = models.TextField()
    list_code = models.CharField(max_length=16)
    # The entry in this version (added, changed) and in the version replaced (removed, changed).
    entry = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    previous = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Of a changed entry, what changed: name, alt_names, addresses, programs, type...
    fields = models.JSONField(default=list, blank=True)
    # Added, or changed in what the matcher reads (`MATCHED_FIELDS`): subjects may newly resemble it.
    matchable = models.BooleanField(default=False)

    objects = ListChangeQuerySet.as_manager()

    class Meta:
        ordering = ["version", "kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_change_per_key_per_version")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name} ({self.list_code})"


class Rescreen(models.Model):
    """Everyone screened again after a list changed, in batches that workers take one at a time."""

    version = models.ForeignKey(ListVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    subjects = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Re-screen #{self.pk}: {self.reason}"

    def progress(self) -> tuple[int, int]:
        """Return (subjects screened, subjects in all)."""
        done = self.batches.filter(done_at__isnull=False).aggregate(n=models.Sum("size"))["n"] or 0
        return done, self.subjects


class SubjectKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PERSON = "person", "Person"
    PARTY = "party", "Application party"


class RescreenBatch(models.Model):
    rescreen = models.ForeignKey(Rescreen, on_delete=models.CASCADE, related_name="batches")
    kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    size = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    hits_changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["rescreen", "kind", "first_id"]

    def __str__(self):
        return f"{self.kind} {self.first_id}..{self.last_id}"


_ONE_SUBJECT = (
    Q(customer__isnull=False, person__isnull=True, party__isnull=True)
    | Q(customer__isnull=True, person__isnull=False, party__isnull=True)
    | Q(customer__isnull=True, person__isnull=True, party__isnull=False)
)


class ScreenedSubject(models.Model):
    """A record about exactly one screened subject: a customer, a person or an application party."""

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A party taken off a draft application takes its screening records with it.
    party = models.ForeignKey(ApplicationParty, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    @property
    def subject(self):
        return self.customer or self.person or self.party

    @property
    def subject_kind(self) -> str:
        if self.customer_id:
            return SubjectKind.CUSTOMER
        return SubjectKind.PERSON if self.person_id else SubjectKind.PARTY

    def clean(self):
        if sum(1 for f in (self.customer_id, self.person_id, self.party_id) if f) != 1:
            raise ValidationError("Name exactly one subject: a customer, a person or an application party.")


class SubjectScreeningQuerySet(models.QuerySet["SubjectScreening"]):
    def for_subject(self, subject: Subject) -> "SubjectScreeningQuerySet":
        return self.filter(**{subject_field(subject): subject})


class SubjectScreening(ScreenedSubject):
    """The latest screening of one subject: when, which names, against which list versions."""

    screened_at = models.DateTimeField()
    names = models.JSONField(default=list)
    versions = models.JSONField(default=list, help_text="Ids of the list versions in force when screened.")
    match_count = models.PositiveSmallIntegerField(default=0)
    # The subject's names and addresses as screened (`subjects.fingerprint_of`);
    # empty for screenings recorded before fingerprints were kept.
    fingerprint = models.CharField(max_length=64, blank=True)
    # The names' words as the changed entries of a new list version are looked
    # up (`matching.blocking.name_words`): names apart by "|", words by spaces,
    # so a million subjects are read without analysing a name again.
    name_words = models.TextField(blank=True)

    objects = SubjectScreeningQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="screening_has_one_subject"),
            models.UniqueConstraint(fields=["customer"], name="one_screening_per_customer"),
            models.UniqueConstraint(fields=["person"], name="one_screening_per_person"),
            models.UniqueConstraint(fields=["party"], name="one_screening_per_party"),
        ]

    def __str__(self):
        return f"Screening of {self.subject} at {self.screened_at:%Y-%m-%d %H:%M}"


class HitQuerySet(models.QuerySet["Hit"]):
    def for_subject(self, subject: Subject) -> "HitQuerySet":
        return self.filter(**{subject_field(subject): subject})

    def awaiting_adjudication(self):
        return self.filter(status__in=Hit.AWAITING)

    def in_effect(self):
        """Hits that bear on a decision: open ones hold it, confirmed ones have the list's effect."""
        return self.filter(status__in=(*Hit.AWAITING, Hit.Status.CONFIRMED))


class Hit(ScreenedSubject):
    """A subject resembles a listed party: a lead an officer adjudicates."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLEARING = "clearing", "False positive, awaiting a second officer"
        CLEARED = "cleared", "Cleared (false positive)"
        CONFIRMED = "confirmed", "Confirmed (true match)"
        DELISTED = "delisted", "Entry no longer listed"

    AWAITING = (Status.OPEN, Status.CLEARING)

    entry_key = models.CharField(max_length=200)
    # The entry as last matched; its version is the list version of the result.
    entry = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="hits")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    score = models.FloatField()
    subject_name = models.CharField(max_length=500, help_text="The subject's name that matched.")
    matched_name = models.TextField(help_text="The entry's name or alias it matched.")
    reasons = models.JSONField(default=list)
    first_matched_at = models.DateTimeField()
    last_matched_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal_reason = models.TextField(blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    adjudication_reason = models.TextField(blank=True)
    # The entry's fingerprint when it was adjudicated: a clearance stands until it changes.
    adjudicated_fingerprint = models.CharField(max_length=64, blank=True)
    # Set when the entry left the lists while the hit still bore on decisions:
    # it keeps holding until an officer closes it (a feed that drops entries
    # by mistake must not release anyone).
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HitQuerySet.as_manager()

    class Meta:
        ordering = ["-last_matched_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="hit_has_one_subject"),
            models.UniqueConstraint(fields=["customer", "entry_key"], name="one_hit_per_customer_and_entry"),
            models.UniqueConstraint(fields=["person", "entry_key"], name="one_hit_per_person_and_entry"),
            models.UniqueConstraint(fields=["party", "entry_key"], name="one_hit_per_party_and_entry"),
            models.CheckConstraint(
                condition=Q(adjudicated_by__isnull=True) | ~Q(adjudicated_by=models.F("proposed_by")),
                name="hit_cleared_by_a_second_officer",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_matched_at"])]

    def __str__(self):
        return f"Hit #{self.pk}: {self.subject} ~ {self.matched_name}"

    @property
    def list_version(self) -> ListVersion:
        return self.entry.version


def subject_field(subject: Subject) -> str:
    """The field of a screening record that names this kind of subject."""
    if isinstance(subject, Customer):
        return "customer"
    if isinstance(subject, Person):
        return "person"
    if isinstance(subject, ApplicationParty):
        return "party"
    raise TypeError(f"{subject!r} cannot be screened")
