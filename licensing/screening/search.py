"""Ad hoc screening of a name: the one search the API and the search page share."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from licensing.reference.models import Country

from .loading import current_index, match_threshold
from .matching.index import Query
from .matching.names import TYPES, UNKNOWN
from .models import ListEntry

MAX_NAME_LENGTH = 300
MAX_LIMIT = 50
# A caller may ask for closer or looser matches, never so loose that every
# name sharing a common word is a result.
MIN_THRESHOLD = 0.5
MAX_THRESHOLD = 1.0


class NoListInForce(Exception):
    """No list version is in force, so a search could not say that a name is not listed."""


@dataclass
class SearchResult:
    entry: ListEntry
    score: float
    matched_name: str
    reasons: list[str]


def search_name(*, name: str, limit: int = 10, type: str = UNKNOWN, country: str = "", threshold=None):
    """Screen one name ad hoc; return the entries at or above the threshold, best first."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give a name to screen."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"A name has at most {MAX_NAME_LENGTH} characters."
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"The limit is a whole number from 1 to {MAX_LIMIT}."
    if type not in (*TYPES, UNKNOWN):
        errors["type"] = f"The type is one of {', '.join(TYPES)}."
    country = (country or "").strip().upper()
    if country and not Country.objects.filter(pk=country).exists():
        errors["country"] = f"{country!r} is not an ISO 3166 alpha-2 country code."
    if threshold is not None and not (
        isinstance(threshold, (int, float))
        and not isinstance(threshold, bool)
        and MIN_THRESHOLD <= threshold <= MAX_THRESHOLD
    ):
        errors["threshold"] = f"The threshold is a number from {MIN_THRESHOLD} to {MAX_THRESHOLD}."
    if errors:
        raise ValidationError(errors)
    loaded = current_index()
    if not loaded.versions:
        raise NoListInForce("No restricted-party list is in force: import one before screening.")
    query = Query(names=(name,), type=type, countries=frozenset({country} if country else ()))
    matches = loaded.search(query, threshold=threshold_in_force(threshold), limit=limit)
    entries = ListEntry.objects.select_related("version").in_bulk([m.entry.id for m in matches])
    return [SearchResult(entries[m.entry.id], m.score, m.matched_name, m.reasons) for m in matches]


def threshold_in_force(threshold: float | None = None) -> float:
    """Return the threshold a search applies: the caller's, else the product's default."""
    return match_threshold() if threshold is None else float(threshold)
