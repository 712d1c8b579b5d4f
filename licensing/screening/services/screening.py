"""Screen subjects against the lists in force and keep their hits current.

A screen records the subject's latest `SubjectScreening` and, for each entry
it resembles, a `Hit` keyed by the entry's stable key. An existing hit keeps
its adjudication: it is updated to the latest version's entry, and a cleared
hit is reopened only if the entry itself changed (its fingerprint differs
from the one it was cleared against). A hit whose entry has left every list
in force is closed if it was cleared, and otherwise flagged for an officer
while it keeps holding. A screening that changes what decisions read (a first
screening, new names or addresses, hits opened, changed or closed) records
which subjects it affected; the reactions table decides their waiting
transactions again.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from licensing.audit.services import record_event
from licensing.cases.models import ApplicationParty
from licensing.parties.models import Customer, Person

from ..loading import LoadedIndex, current_index
from ..matching.blocking import name_words
from ..matching.index import Match
from ..models import Hit, ListEntry, Subject, SubjectScreening, subject_field
from ..subjects import fingerprint_of, query_for
from ..workflow import HIT_MACHINE

# What an officer compares when a cleared hit's entry changed.
COMPARED_FIELDS = (
    "name",
    "alt_names",
    "type",
    "addresses",
    "countries",
    "programs",
    "federal_register_notice",
    "license_requirement",
    "license_policy",
    "remarks",
    "details",
)


@dataclass
class Affected:
    """Subjects whose hits changed, so their pending transactions need deciding again."""

    customers: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)
    parties: set[int] = field(default_factory=set)

    def add(self, subject: Subject) -> None:
        {Customer: self.customers, Person: self.persons, ApplicationParty: self.parties}[type(subject)].add(subject.pk)

    def __bool__(self) -> bool:
        return bool(self.customers or self.persons or self.parties)

    def record(self, *, target: models.Model) -> None:
        """Record, in the screening's transaction, which subjects' decisions it changed."""
        if self:
            record_event(
                actor=None,
                verb="screening.subjects_affected",
                target=target,
                after={
                    "customers": sorted(self.customers),
                    "persons": sorted(self.persons),
                    "parties": sorted(self.parties),
                },
            )


def screen_subject(subject: Subject, *, loaded: LoadedIndex | None = None) -> SubjectScreening | None:
    """Screen one customer, person or party now; None when no list is in force."""
    loaded = loaded or current_index()
    if not loaded.versions:
        return None
    query = query_for(subject)
    # Of the names and addresses just searched: a change made meanwhile leaves the screening stale.
    screened_as = fingerprint_of(subject)
    matches = loaded.search(query)
    affected = Affected()
    with transaction.atomic():
        # Locked so two screens of one subject (an edit and a re-screen) cannot both open its hits.
        subject = type(subject).objects.select_for_update(no_key=True).get(pk=subject.pk)
        now = timezone.now()
        existing = {hit.entry_key: hit for hit in Hit.objects.for_subject(subject).select_related("entry")}
        previous = SubjectScreening.objects.for_subject(subject).values_list("fingerprint", flat=True).first()
        # Any, as Django types lookups: a dict of subjects alone could, for mypy, hold `defaults` too.
        lookup: dict[str, Any] = {subject_field(subject): subject}
        screening, created = SubjectScreening.objects.update_or_create(
            **lookup,
            defaults={
                "screened_at": now,
                "names": list(query.names),
                "versions": loaded.version_ids,
                "match_count": len(matches),
                "fingerprint": screened_as,
                "name_words": name_words(query.names),
            },
        )
        # A first screening, or one of changed names or addresses, releases holds that waited for it.
        if apply_matches(subject, matches, existing, loaded, now) or created or previous != screened_as:
            affected.add(subject)
        affected.record(target=subject)
    return screening


def apply_matches(
    subject: Subject, matches: list[Match], existing: dict[str, Hit], loaded: LoadedIndex, now: datetime.datetime
) -> bool:
    """Open, update, reopen or close the subject's hits for this screen; True if any hit changed."""
    best: dict[str, Match] = {}
    for match in matches:
        if match.entry.key not in best or match.score > best[match.entry.key].score:
            best[match.entry.key] = match
    entries = ListEntry.objects.in_bulk([m.entry.id for m in best.values()]) if best else {}
    changed = False
    for key, match in best.items():
        entry = entries[match.entry.id]
        hit = existing.pop(key, None)
        if hit is None:
            _open_hit(subject, key, entry, match, now)
            changed = True
            continue
        previous_entry = hit.entry
        hit.entry = entry
        hit.score = round(match.score, 4)
        hit.subject_name = match.query_name[:500]
        hit.matched_name = match.matched_name
        hit.reasons = match.reasons
        hit.last_matched_at = now
        # Listed again: a flag that its entry had left the lists no longer applies.
        hit.flagged_at, hit.flag_reason = None, ""
        hit.save(
            update_fields=[
                "entry",
                "score",
                "subject_name",
                "matched_name",
                "reasons",
                "last_matched_at",
                "flagged_at",
                "flag_reason",
                "updated_at",
            ]
        )
        if hit.status == Hit.Status.CLEARED and entry.fingerprint != hit.adjudicated_fingerprint:
            changes = changed_fields(previous_entry, entry)
            HIT_MACHINE.apply(
                hit,
                "reopen",
                actor=None,
                reason=f"The entry changed in {entry.version}: {', '.join(changes) or 'its published details'}.",
                extra_event_data={"entry": entry.pk, "changed": changes},
            )
            changed = True
        elif hit.status == Hit.Status.DELISTED:
            HIT_MACHINE.apply(hit, "relist", actor=None, reason=f"The entry is listed again in {entry.version}.")
            changed = True
    for hit in existing.values():
        if hit.entry_key in loaded.keys or hit.status == Hit.Status.DELISTED:
            continue
        if hit.status == Hit.Status.CLEARED:
            # A cleared hit holds nothing: closing it changes no decision.
            HIT_MACHINE.apply(hit, "delist", actor=None, reason="The entry is no longer on any list in force.")
            changed = True
        elif hit.flagged_at is None:
            _flag_removed(hit, loaded, now)
    return changed


def _flag_removed(hit: Hit, loaded: LoadedIndex, now: datetime.datetime) -> None:
    # Fail closed: a feed that dropped an entry by mistake, or moved it under
    # another key, must not release a listed party. The hit keeps holding
    # (or refusing, if confirmed) until an officer closes it with a reason.
    hit.flagged_at = now
    versions = ", ".join(map(str, loaded.version_ids))
    hit.flag_reason = (
        f"The entry {hit.entry_key} is no longer on any list in force (versions {versions}); "
        "an officer confirms the delisting before this hit stops holding."
    )
    hit.save(update_fields=["flagged_at", "flag_reason", "updated_at"])
    record_event(
        actor=None,
        verb="screening.hit_flagged",
        target=hit,
        reason=hit.flag_reason,
        after={"entry_key": hit.entry_key, "status": hit.status, "versions": loaded.version_ids},
    )


def _open_hit(subject: Subject, key: str, entry: ListEntry, match: Match, now: datetime.datetime) -> Hit:
    hit = Hit(
        **{subject_field(subject): subject},
        entry_key=key,
        entry=entry,
        score=round(match.score, 4),
        subject_name=match.query_name[:500],
        matched_name=match.matched_name,
        reasons=match.reasons,
        first_matched_at=now,
        last_matched_at=now,
    )
    # The database holds the constraints (one hit per subject and entry, one
    # subject); checking them here first cost two queries per hit opened.
    hit.full_clean(validate_unique=False, validate_constraints=False)
    hit.save()
    record_event(
        actor=None,
        verb="screening.hit_opened",
        target=hit,
        after={
            "subject": str(subject),
            "entry": entry.pk,
            "entry_key": key,
            "list": entry.list_code,
            "list_version": entry.version_id,
            "matched_name": match.matched_name,
            "score": hit.score,
            "reasons": match.reasons,
        },
    )
    return hit


def changed_fields(before: ListEntry, after: ListEntry) -> list[str]:
    """Name the published details that differ between two versions of an entry."""
    return [name.replace("_", " ") for name in COMPARED_FIELDS if getattr(before, name) != getattr(after, name)]
