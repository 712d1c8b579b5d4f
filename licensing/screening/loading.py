"""The matcher's index over the list versions in force, built once per process and rebuilt when they change.

Every screen asks which versions are in force (one small query) and reuses
the index built for exactly those versions; a new version in force makes the
next screen rebuild it. Building reads the entries' names and needs a few
seconds for the full lists, the first time also to load rigour's name data.
"""

import functools
import gc
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from .matching.index import IndexedEntry, Match, Query, ScreeningIndex
from .matching.names import entry_names
from .models import ListEntry, ListVersion

DEFAULT_THRESHOLD = 0.80
DEFAULT_MAX_HITS = 10


@dataclass(frozen=True)
class LoadedIndex:
    versions: tuple[tuple[int, str], ...]
    index: ScreeningIndex
    keys: frozenset[str]

    @property
    def version_ids(self) -> list[int]:
        return [pk for pk, _ in self.versions]

    def search(self, query: Query, *, threshold: float | None = None, limit: int | None = None) -> list[Match]:
        return self.index.search(
            query,
            threshold=match_threshold() if threshold is None else threshold,
            limit=limit or max_hits(),
        )


_lock = threading.Lock()
_loaded: LoadedIndex | None = None


def match_threshold() -> float:
    """The score from which a resemblance is a hit (setting SCREENING_MATCH_THRESHOLD, 0 to 1)."""
    value = getattr(settings, "SCREENING_MATCH_THRESHOLD", DEFAULT_THRESHOLD)
    if not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"SCREENING_MATCH_THRESHOLD={value!r} must be a number above 0 and at most 1")
    return float(value)


def max_hits() -> int:
    return int(getattr(settings, "SCREENING_MAX_HITS_PER_SUBJECT", DEFAULT_MAX_HITS))


def in_force_versions() -> tuple[tuple[int, str], ...]:
    """The versions in force as (id, digest): what an index is built from."""
    # Every screen asks, so the statement is compiled once and run on a plain
    # cursor: the ORM's compiling was most of the cost of this one-row read.
    sql, params = _in_force_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple((int(pk), digest) for pk, digest in cursor.fetchall())


@functools.cache
def _in_force_statement() -> tuple[str, tuple]:
    return ListVersion.objects.in_force().order_by("pk").values_list("pk", "digest").query.sql_with_params()


def current_index() -> LoadedIndex:
    """Return the index over the versions in force now, building it if they changed."""
    global _loaded
    versions = in_force_versions()
    loaded = _loaded
    if loaded is not None and loaded.versions == versions:
        return loaded
    with _lock:
        if _loaded is not None and _loaded.versions == versions:
            return _loaded
        index = ScreeningIndex(_indexed_entries(versions))
        _loaded = LoadedIndex(versions=versions, index=index, keys=frozenset(e.key for e in index.entries))
        # The index is a few million long-lived objects; keeping them out of the
        # collector's generations spares every later collection from walking them.
        gc.collect()
        gc.freeze()
        return _loaded


def _indexed_entries(versions: tuple[tuple[int, str], ...]):
    rows = (
        ListEntry.objects.filter(version_id__in=[pk for pk, _ in versions])
        .order_by("pk")
        .values_list("pk", "key", "list_code", "type", "countries", "name", "alt_names")
        .iterator(chunk_size=5000)
    )
    for pk, key, list_code, entry_type, countries, name, alt_names in rows:
        yield IndexedEntry(
            id=pk,
            key=key,
            list_code=list_code,
            type=entry_type,
            countries=frozenset(countries),
            names=tuple(entry_names(name, alt_names)),
        )
