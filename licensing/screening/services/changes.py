"""What a new list version changed against the version it replaces: entries added, removed and changed.

Entries are compared by their stable key: the list and the source's own id
for the party (the CSL's `entity_number`, else its `_id`; OFAC's `ent_num`),
which the source keeps from one publication to the next. An entry whose
fingerprint differs changed; which of its published details changed is
recorded with it, and whether the change is one the matcher reads (a name,
an alias, the type or the countries): only those can give a subject a new hit.
"""

from collections.abc import Iterable
from typing import Any

from ..models import MATCHED_FIELDS, ListChange, ListEntry, ListVersion

# The published details compared, in the order they are shown.
DIFF_FIELDS = (
    "name",
    "alt_names",
    "addresses",
    "programs",
    "type",
    "countries",
    "entity_number",
    "federal_register_notice",
    "license_requirement",
    "license_policy",
    "remarks",
    "source",
    "source_list_url",
    "details",
)
WRITE_CHUNK = 2000


def record_changes(version: ListVersion, previous: ListVersion | None) -> dict[str, int]:
    """Record `version`'s changes against `previous` as `ListChange` rows; return and keep the counts."""
    if previous is None:
        # A feed's first version: everything is new, and everyone is screened against it in full.
        version.change_counts = {}
        version.save(update_fields=["change_counts"])
        return {}
    before = _keyed(previous)
    after = _keyed(version)
    added = [after[key][0] for key in after.keys() - before.keys()]
    removed = [before[key][0] for key in before.keys() - after.keys()]
    changed = [
        (before[key][0], after[key][0]) for key in after.keys() & before.keys() if before[key][1] != after[key][1]
    ]
    ids = [*added, *removed, *(pk for pair in changed for pk in pair)]
    entries = {
        row["pk"]: row for row in ListEntry.objects.filter(pk__in=ids).values("pk", "key", "list_code", *DIFF_FIELDS)
    }
    rows = [_change(version, ListChange.Kind.ADDED, entries[pk], entry=pk) for pk in added]
    rows += [_change(version, ListChange.Kind.REMOVED, entries[pk], previous=pk) for pk in removed]
    for old, new in changed:
        fields = [name for name in DIFF_FIELDS if entries[old][name] != entries[new][name]]
        rows.append(_change(version, ListChange.Kind.CHANGED, entries[new], entry=new, previous=old, fields=fields))
    ListChange.objects.bulk_create(rows, batch_size=WRITE_CHUNK)
    counts = {
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "can_add_hits": sum(row.matchable for row in rows),
    }
    version.change_counts = counts
    version.save(update_fields=["change_counts"])
    return counts


def _keyed(version: ListVersion) -> dict[str, tuple[int, str]]:
    return {key: (pk, fingerprint) for pk, key, fingerprint in version.entries.values_list("pk", "key", "fingerprint")}


def _change(
    version: ListVersion,
    kind: str,
    # A row of ListEntry.values(): the key, list and the compared details.
    row: dict[str, Any],
    *,
    entry: int | None = None,
    previous: int | None = None,
    fields: Iterable[str] = (),
) -> ListChange:
    fields = list(fields)
    matchable = kind == ListChange.Kind.ADDED or any(name in MATCHED_FIELDS for name in fields)
    return ListChange(
        version=version,
        kind=kind,
        key=row["key"],
        name=row["name"],
        list_code=row["list_code"],
        entry_id=entry,
        previous_id=previous,
        fields=fields,
        matchable=matchable,
    )
