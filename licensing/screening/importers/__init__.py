"""Readers for the published lists: each turns a file's bytes into `ParsedEntry`s or refuses the file.

A reader never touches the database. It checks the whole file first and
raises `ListFormatError` naming the file, the line and the reason at the
first problem, so a malformed file is refused before anything is written and
the list version in force stays in force.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rigour.territories import get_territory, lookup_territory

from licensing.screening.matching.names import AIRCRAFT, ENTITY, INDIVIDUAL, UNKNOWN, VESSEL


class ListFormatError(ValueError):
    """A list file cannot be read; the message names where and why."""

    def __init__(self, reason: str, *, source: str = "", line: int | None = None):
        self.reason = reason
        self.source = source
        self.line = line
        where = " ".join(part for part in (source, f"line {line}" if line else "") if part)
        super().__init__(f"{where}: {reason}" if where else reason)


@dataclass(frozen=True)
class ParsedEntry:
    """One party on one list, as published; rows that repeat a party are merged into one."""

    key: str
    list_code: str
    source: str
    name: str
    type: str = UNKNOWN
    entity_number: str = ""
    alt_names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    federal_register_notice: str = ""
    license_requirement: str = ""
    license_policy: str = ""
    remarks: str = ""
    source_list_url: str = ""
    details: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """A digest of everything published about the entry: it changes exactly when the entry does."""
        content = asdict(self)
        content.pop("key")
        return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def list_digest(entries: list[ParsedEntry]) -> str:
    """A digest of a whole list: equal for two files that publish the same entries in any order."""
    digest = hashlib.sha256()
    for key, fingerprint in sorted((e.key, e.fingerprint) for e in entries):
        digest.update(f"{key}\t{fingerprint}\n".encode())
    return digest.hexdigest()


ENTRY_TYPES = {
    "individual": INDIVIDUAL,
    "entity": ENTITY,
    "vessel": VESSEL,
    "aircraft": AIRCRAFT,
    "": UNKNOWN,
}


def entry_type(value: str, *, source: str, line: int | None) -> str:
    try:
        return ENTRY_TYPES[value.strip().lower()]
    except KeyError:
        raise ListFormatError(
            f"type {value!r} is not one of Individual, Entity, Vessel, Aircraft or empty", source=source, line=line
        ) from None


_REGION = re.compile(r"^region:\s*", re.I)


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country given as a code or a name ("AM", "Korea, North"), if known."""
    text = _REGION.sub("", (text or "").strip())
    if not text:
        return None
    territory = get_territory(text.lower()) if len(text) == 2 else None
    territory = territory or lookup_territory(text)
    if territory is None:
        return None
    # Regions such as Crimea ("ua-cri") are attributed to their country.
    code = territory.code.split("-")[0]
    return code.upper() if len(code) == 2 else None


def unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def join_distinct(values) -> str:
    return "; ".join(unique(values))
