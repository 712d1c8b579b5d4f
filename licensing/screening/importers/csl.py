"""The Consolidated Screening List as trade.gov publishes it, in CSV or JSON.

CSV: a header row, then 29 columns; multi-valued fields (addresses, alt_names,
programs, ids...) are joined by "; ". JSON: `{"results": [...]}` (or a bare
array) of objects with the same field names, multi-valued fields as arrays and
addresses as objects. A party listed with several addresses or orders appears
on several rows sharing an `_id`; those rows are merged into one entry.
"""

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import ListFormatError, ParsedEntry, country_code, entry_type, join_distinct, unique

CSV_COLUMNS = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)
REQUIRED_COLUMNS = ("_id", "source", "name")
MULTI_VALUED = (
    "programs",
    "addresses",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "ids",
)
# Kept with the entry for the officer to read; not used for matching.
DETAIL_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "standard_order",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)
# "Entity List (EL) - Bureau of Industry and Security" is list EL; "(NS-MBS List)" is NS-MBS.
_LIST_CODE = re.compile(r"\(([A-Z][A-Z0-9\-]{0,15})(?: List)?\)")
# What the version's records hold; a longer value is not a list's.
FIELD_LIMITS = {"_id": 150, "entity_number": 40, "source": 300, "name": 2000, "source_list_url": 500}


@dataclass
class Row:
    """One published row, with the line it starts on."""

    # None only for a JSON entry whose line could not be found.
    line: int | None
    values: dict


def list_code(source_name: str, *, source: str, line: int | None) -> str:
    found = _LIST_CODE.search(source_name or "")
    if not found:
        raise ListFormatError(
            f"source {source_name!r} does not name a list the way the CSL does, "
            "e.g. 'Entity List (EL) - Bureau of Industry and Security'",
            source=source,
            line=line,
        )
    return found.group(1)


def decode(data: bytes, *, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ListFormatError(f"is not UTF-8 text (byte 0x{data[error.start]:02x})", source=source, line=line) from None


def read_csv(data: bytes, *, source: str = "CSL CSV") -> list[Row]:
    """Read and check the CSV; every row is returned with its fields by name."""
    text = decode(data, source=source)
    if not text.strip():
        raise ListFormatError("the file is empty", source=source)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = [h.strip() for h in next(reader)]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ListFormatError(
                f"the header has no {', '.join(repr(c) for c in missing)} column; is this the CSL CSV?",
                source=source,
                line=1,
            )
        duplicated = sorted({h for h in header if header.count(h) > 1})
        if duplicated:
            raise ListFormatError(f"the header repeats {', '.join(duplicated)}", source=source, line=1)
        previous_end = reader.line_num
        for fields in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not fields or fields == [""]:
                continue
            if len(fields) != len(header):
                raise ListFormatError(f"expected {len(header)} fields, found {len(fields)}", source=source, line=line)
            texts = {column: fields[i].strip() for i, column in enumerate(header)}
            values: dict[str, str | list[str]] = dict(texts)
            for column in MULTI_VALUED:
                values[column] = [v.strip() for v in texts.get(column, "").split(";") if v.strip()]
            rows.append(Row(line=line, values=values))
    except csv.Error as error:
        raise ListFormatError(f"is not valid CSV ({error})", source=source, line=reader.line_num) from None
    return _checked(rows, source)


def read_json(data: bytes, *, source: str = "CSL JSON") -> list[Row]:
    """Read and check the JSON export (`{"results": [...]}` or an array of entries)."""
    text = decode(data, source=source)
    if not text.strip():
        raise ListFormatError("the file is empty", source=source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ListFormatError(
            f"is not valid JSON ({error.msg}, column {error.colno})", source=source, line=error.lineno
        ) from None
    items = document.get("results") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ListFormatError('expected a "results" array of entries', source=source, line=1)
    lines = _element_lines(text, document)
    rows = []
    for position, item in enumerate(items):
        line = lines[position] if position < len(lines) else None
        if not isinstance(item, dict):
            raise ListFormatError(f"results[{position}] is not an object", source=source, line=line)
        values = {}
        for column in CSV_COLUMNS:
            value = item.get("id", "") if column == "_id" and "_id" not in item else item.get(column, "")
            try:
                values[column] = _json_values(value, column) if column in MULTI_VALUED else _json_text(value, column)
            except ValueError as error:
                raise ListFormatError(f"results[{position}]: {error}", source=source, line=line) from None
        rows.append(Row(line=line, values=values))
    return _checked(rows, source)


def _json_text(value, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "; ".join(str(v).strip() for v in value if str(v).strip())
    raise ValueError(f"{column} should be text, found {type(value).__name__}")


def _json_values(value, column: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if not isinstance(value, list):
        raise ValueError(f"{column} should be a list, found {type(value).__name__}")
    values = []
    for item in value:
        if isinstance(item, dict):
            # Addresses and ids are objects; keep their parts in the published order, country last.
            parts = [str(v).strip() for k, v in item.items() if v not in (None, "") and k != "country"]
            if item.get("country"):
                parts.append(str(item["country"]).strip())
            if parts:
                values.append(", ".join(parts))
        elif isinstance(item, (str, int, float)):
            if str(item).strip():
                values.append(str(item).strip())
        else:
            raise ValueError(f"{column} holds a {type(item).__name__}")
    return values


def _element_lines(text: str, document) -> list[int]:
    """The line each element of the results array starts on (for error messages)."""
    if isinstance(document, dict):
        found = re.search(r'"results"\s*:\s*\[', text)
        if not found:
            return []
        position = found.end()
    else:
        position = text.index("[") + 1
    decoder = json.JSONDecoder()
    lines: list[int] = []
    line, counted_to = 1, 0
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return lines
        line += text.count("\n", counted_to, position)
        counted_to = position
        lines.append(line)
        _, position = decoder.raw_decode(text, position)


def _checked(rows: list[Row], source: str) -> list[Row]:
    if not rows:
        raise ListFormatError("the file has no entries", source=source)
    for row in rows:
        values = row.values
        for column in REQUIRED_COLUMNS:
            if not values.get(column):
                raise ListFormatError(f"{column} is empty", source=source, line=row.line)
        for column, longest in FIELD_LIMITS.items():
            if len(values.get(column) or "") > longest:
                raise ListFormatError(f"{column} is longer than {longest} characters", source=source, line=row.line)
        values["_list_code"] = list_code(values["source"], source=source, line=row.line)
        values["_type"] = entry_type(values.get("type", ""), source=source, line=row.line)
    return rows


def merge_rows(rows: Iterable[Row]) -> list[ParsedEntry]:
    """Merge the rows that publish one party (same list and `_id`) into one entry each."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        values = row.values
        grouped.setdefault(f"{values['_list_code']}:{_party_id(values)}", []).append(values)
    return [_entry(key, group) for key, group in grouped.items()]


def _party_id(values: dict) -> str:
    # Treasury's entries carry OFAC's number, the same one the OFAC files use,
    # so a party imported from both sources is recognised as one.
    return values.get("entity_number") or values["_id"]


def _entry(key: str, group: list[dict]) -> ParsedEntry:
    first = group[0]

    def every(column):
        return [v for values in group for v in values.get(column, [])]

    def texts(column):
        return join_distinct(values.get(column, "") for values in group)

    addresses = unique(every("addresses"))
    countries = unique(
        code
        for code in (
            *(country_code(a.rsplit(",", 1)[-1]) for a in addresses),
            *(country_code(c) for c in every("nationalities")),
            *(country_code(c) for c in every("citizenships")),
        )
        if code and code != "ZZ"
    )
    details = {}
    for column in DETAIL_FIELDS:
        value = unique(every(column)) if column in MULTI_VALUED else texts(column)
        if value:
            details[column] = list(value) if isinstance(value, tuple) else value
    return ParsedEntry(
        key=key,
        list_code=first["_list_code"],
        source=first["source"],
        name=first["name"],
        type=first["_type"],
        entity_number=first.get("entity_number", ""),
        alt_names=tuple(a for a in unique(every("alt_names")) if a != first["name"]),
        addresses=addresses,
        countries=tuple(sorted(countries)),
        programs=unique(every("programs")),
        federal_register_notice=texts("federal_register_notice"),
        license_requirement=texts("license_requirement"),
        license_policy=texts("license_policy"),
        remarks=texts("remarks"),
        source_list_url=first.get("source_list_url", ""),
        details=details,
    )
