"""Right after a list version comes into force, screen first the subjects its changes can affect.

The full re-screen of everyone takes minutes; a party added to a list must
hold its customers' transactions within a minute. Only the entries the new
version added, or changed in what the matcher reads (names, aliases, type,
countries), can give a subject a new hit: a small index of just their names
(`ChangeBlocker`) is run over every subject's names as last screened, and
the subjects it finds are screened in full the way a re-screen's batch is
(the same matcher, hits, events and reactions as any screening), so a new
hit holds their transactions. Subjects with hits on any changed or removed entry are
screened too: a cleared hit whose entry changed reopens, and a hit whose
entry left the lists is flagged for an officer while it keeps holding.
The full re-screen runs after, in the background, for everything else.
"""

import json
import time
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.utils import timezone

from licensing.audit.services import record_event

from ..loading import current_index, match_threshold
from ..matching.blocking import ChangeBlocker
from ..models import Hit, ListVersion, SubjectKind, SubjectScreening
from ..subjects import screened_on_its_own, subjects_of_kind
from .rescreen import record_screened, screen_in_memory

SCAN_CHUNK = 20_000
# Candidates screened and recorded together, as a re-screen's batch.
CHUNK = 200
KIND_FIELDS = {SubjectKind.CUSTOMER: "customer_id", SubjectKind.PERSON: "person_id", SubjectKind.PARTY: "party_id"}


@dataclass
class ChangesScreened:
    changed_entries: int = 0
    subjects_scanned: int = 0
    scan_seconds: float = 0.0
    candidates: int = 0
    screened: int = 0
    hits_opened: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def screen_changes_first(version_id: int) -> ChangesScreened | None:
    """Screen the subjects the version's changes could affect; None if the version is no longer in force."""
    started, started_cpu = time.perf_counter(), time.process_time()
    version = ListVersion.objects.filter(pk=version_id, status=ListVersion.Status.IN_FORCE).first()
    # A version already replaced: the newer one's own run covers its changes. A
    # feed's first version changed nothing: the full re-screen screens everyone.
    if version is None or version.replaces_id is None or version.change_counts.get("screened_first"):
        return None
    since = timezone.now()
    loaded = current_index()
    result = ChangesScreened()
    changes = list(version.changes.values_list("kind", "key", "entry_id", "matchable"))
    result.changed_entries = len(changes)
    matchable = {entry_id for _, _, entry_id, can_match in changes if can_match}
    candidates: dict[str, set[int]] = {kind: set() for kind in KIND_FIELDS}
    if matchable:
        index = loaded.index
        blocker = ChangeBlocker(
            (e for e in index.entries if e.id in matchable),
            index.scorer.weight,
            subject_weight=index.word_weight,
            company_words=index.company_words,
            threshold=match_threshold(),
        )
        scan_started = time.perf_counter()
        result.subjects_scanned = _scan(blocker, candidates)
        result.scan_seconds = round(time.perf_counter() - scan_started, 2)
    keys = {key for _, key, _, _ in changes}
    _with_hits_on(keys, candidates)
    result.candidates = sum(len(ids) for ids in candidates.values())
    for kind, ids in candidates.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            subjects = list(subjects_of_kind(kind).filter(pk__in=ordered[start : start + CHUNK]).order_by("pk"))
            if kind == SubjectKind.PARTY:
                subjects = [s for s in subjects if screened_on_its_own(s)]
            # Screened as a re-screen's batch is: matched in memory, recorded in one transaction.
            screened = screen_in_memory(subjects, loaded)
            with transaction.atomic():
                record_screened(kind, screened, loaded, timezone.now(), target=version)
            result.screened += len(screened)
    result.hits_opened = Hit.objects.filter(first_matched_at__gte=since).count()
    result.seconds = round(time.perf_counter() - started, 2)
    result.cpu_seconds = round(time.process_time() - started_cpu, 2)
    _record(version, result)
    return result


def _scan(blocker: ChangeBlocker, candidates: dict[str, set[int]]) -> int:
    """Run every subject's names as last screened through the blocker; return how many were read."""
    scanned = 0
    table = SubjectScreening._meta.db_table
    # Read as plain rows: a million model rows would cost more than the lookups.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_id, person_id, party_id, name_words, names FROM {table}")  # noqa: S608
        stored_could_match, could_match = blocker.stored_could_match, blocker.could_match
        while rows := cursor.fetchmany(SCAN_CHUNK):
            for customer_id, person_id, party_id, words, names in rows:
                scanned += 1
                # Screenings recorded before the words were kept have their names analysed here.
                found = stored_could_match(words) if words else bool(names) and could_match(_names(names))
                if not found:
                    continue
                if customer_id:
                    candidates[SubjectKind.CUSTOMER].add(customer_id)
                elif person_id:
                    candidates[SubjectKind.PERSON].add(person_id)
                else:
                    candidates[SubjectKind.PARTY].add(party_id)
    return scanned


def _names(value: str | list[str]) -> list[str]:
    # PostgreSQL hands JSON over decoded; SQLite as text.
    names: list[str] = json.loads(value) if isinstance(value, str) else value
    return names


def _with_hits_on(keys: set[str], candidates: dict[str, set[int]]) -> None:
    if not keys:
        return
    rows = Hit.objects.filter(entry_key__in=keys)
    for customer_id, person_id, party_id in rows.values_list("customer_id", "person_id", "party_id"):
        if customer_id:
            candidates[SubjectKind.CUSTOMER].add(customer_id)
        elif person_id:
            candidates[SubjectKind.PERSON].add(person_id)
        else:
            candidates[SubjectKind.PARTY].add(party_id)


def _record(version: ListVersion, result: ChangesScreened) -> None:
    with transaction.atomic():
        locked = ListVersion.objects.select_for_update(no_key=True).get(pk=version.pk)
        locked.change_counts = {
            **locked.change_counts,
            "screened_first": {**asdict(result), "at": timezone.now().isoformat()},
        }
        locked.save(update_fields=["change_counts"])
        record_event(actor=None, verb="screening.changes_screened", target=locked, after=asdict(result))
