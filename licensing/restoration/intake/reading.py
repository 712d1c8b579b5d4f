"""Reading an intake file (CSV or XLSX, through tablib) or an API body into rows, bounded in size.

A file over `MAX_FILE_BYTES` is refused before it is parsed, and a CSV line
longer than `MAX_LINE_CHARS` (a cell stuffed with megabytes) is found by a
scan of the text, so neither costs the memory of parsing it.
"""

import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import tablib
from tablib.exceptions import InvalidDimensions

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 500_000
# No column holds more than a few hundred characters; a line this long is not a customer record.
MAX_LINE_CHARS = 20_000
_ZIP_MAGIC = b"PK\x03\x04"


class Unreadable(ValueError):
    """The file as a whole cannot be read: too big, not CSV or XLSX, or broken; says why."""

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(problem)
        self.problem = problem
        self.line = line


@dataclass
class Rows:
    headers: list[str]
    # (line, {column: cell}) for each data row; the header is line 1 of a file.
    rows: list[tuple[int, dict[str, Any]]]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    # XLSX numbers and dates are kept as they are; the column readers take them.
    return value


def file_format(name: str, head: bytes) -> str:
    if head.startswith(_ZIP_MAGIC) or name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def read_file(name: str, content: bytes) -> Rows:
    """Parse an uploaded CSV or XLSX file into rows, refusing it whole when it cannot be read."""
    if len(content) > MAX_FILE_BYTES:
        raise Unreadable(f"The file is {len(content):,} bytes; at most {MAX_FILE_BYTES:,} are accepted.")
    if not content.strip():
        raise Unreadable("The file is empty.")
    kind = file_format(name, content[:4])
    dataset = tablib.Dataset()
    if kind == "xlsx":
        try:
            dataset.load(content, format="xlsx")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise Unreadable(f"The file is not a readable XLSX workbook ({error}).") from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise Unreadable(f"The file is not UTF-8 text (byte {error.start} cannot be read).") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if len(line) > MAX_LINE_CHARS:
                raise Unreadable(
                    f"Line {number} is {len(line):,} characters long; a line holds at most {MAX_LINE_CHARS:,}.",
                    line=number,
                )
        try:
            dataset.load(text, format="csv")
        except (csv.Error, InvalidDimensions) as error:
            raise Unreadable(f"The file is not readable CSV ({error}).") from None
    headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    if len(dataset) > MAX_ROWS:
        raise Unreadable(f"The file has {len(dataset):,} rows; at most {MAX_ROWS:,} are accepted in one file.")
    rows = [(line, dict(zip(headers, map(_cell, row), strict=False))) for line, row in enumerate(dataset, start=2)]
    return Rows(headers, [(line, row) for line, row in rows if any(v != "" for v in row.values())])


def read_records(records: list[Any]) -> Rows:
    """Rows from an API body: a list of JSON objects, line N being the Nth object."""
    if len(records) > MAX_ROWS:
        raise Unreadable(f"The body has {len(records):,} records; at most {MAX_ROWS:,} are accepted at once.")
    headers: dict[str, None] = {}
    rows = []
    for line, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise Unreadable(f"Record {line} is not a JSON object.", line=line)
        cells = {str(k).strip().lower(): _api_cell(v) for k, v in record.items()}
        headers.update(dict.fromkeys(cells))
        rows.append((line, cells))
    return Rows(list(headers), rows)


def _api_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        # Aliases may come as a list of names.
        return "; ".join(str(v) for v in value)
    return _cell(value) if isinstance(value, str) else str(value)


def iter_chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
