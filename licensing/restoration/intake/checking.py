"""Checking every row of an intake file before anything is written.

`check` returns every problem, each naming the line and the column, and the
rows read into the values the bulk writers store. A file with any problem is
written not at all: an officer fixes it and uploads it again.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from licensing.parties.models import Customer, Ownership, Person, StatusRecord
from licensing.reference.models import Country

from .columns import COUNTRY, SCHEMAS, Column, FileKind, date, percentage
from .reading import Rows

# The report keeps this many problems word for word, and counts the rest.
MAX_REPORTED = 1000
_LOOKUP_CHUNK = 5000


@dataclass
class Report:
    rows: int = 0
    problem_count: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def add(self, line: int | None, column: str | None, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append({"line": line, "column": column, "problem": problem})

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "problem_count": self.problem_count,
            "problems": self.problems,
            "truncated": self.problem_count > len(self.problems),
        }


@dataclass
class Checked:
    report: Report
    # (line, values) for each row, in the file's order; empty when any problem was found.
    rows: list[tuple[int, dict[str, Any]]]

    @property
    def ok(self) -> bool:
        return self.report.problem_count == 0


def _headers(kind: str, headers: list[str], report: Report) -> None:
    schema = SCHEMAS[kind]
    names = [c.name for c in schema]
    seen = set()
    for header in headers:
        if header in seen:
            report.add(1, header, "The column appears twice.")
        seen.add(header)
        if header not in names:
            report.add(1, header or "(blank)", f"Unknown column; the columns of a {kind} file are: {', '.join(names)}.")
    for column in schema:
        if column.required and column.name not in seen:
            report.add(1, column.name, "Missing column: it is required.")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str) else str(value)


def _read_cell(column: Column, raw: Any, countries: set[str]) -> Any:
    if column.read == COUNTRY:
        code = _plain(raw).upper()
        if code not in countries:
            raise ValueError(f"unknown country {code[:40]!r}; give the ISO 3166 two-letter code")
        return code
    reader = column.read
    assert callable(reader)
    return reader(raw if reader in (date, percentage) else _plain(raw))


def _read_row(kind: str, line: int, cells: dict[str, Any], countries: set[str], report: Report) -> dict | None:
    values: dict[str, Any] = {}
    fine = True
    for column in SCHEMAS[kind]:
        raw = cells.get(column.name, "")
        if raw == "":
            if column.required:
                report.add(line, column.name, "Required, but empty.")
                fine = False
            values[column.target] = None
            continue
        try:
            values[column.target] = _read_cell(column, raw, countries)
        except ValueError as error:
            problem = str(error)
            report.add(line, column.name, f"{problem[:1].upper()}{problem[1:]}.")
            fine = False
    return values if fine else None


def _not_future(values: dict, name: str, today: datetime.date, line: int, report: Report) -> bool:
    when = values.get(name)
    if when is not None and when > today:
        report.add(line, name, f"{when} is in the future.")
        return False
    return True


def _customer_ids(external_ids: Iterable[str]) -> dict[str, int]:
    wanted = list(set(external_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        found.update(Customer.objects.filter(external_id__in=chunk).values_list("external_id", "pk"))
    return found


def _duplicates(rows, key, column: str, report: Report) -> None:
    first_line: dict[Any, int] = {}
    for line, values in rows:
        k = key(values)
        if k in first_line:
            report.add(line, column, f"Duplicate of line {first_line[k]}: {' / '.join(map(str, k))}.")
        else:
            first_line[k] = line


def _resolve(rows, ref: str, target: str, report: Report, *, optional: bool = False) -> None:
    ids = _customer_ids(values[ref] for _, values in rows if values.get(ref))
    for line, values in rows:
        external_id = values.pop(ref)
        if external_id is None and optional:
            values[target] = None
        elif external_id not in ids:
            report.add(line, ref, f"No customer has the billing id {external_id!r}; import it first.")
        else:
            values[target] = ids[external_id]


def _check_customers(rows, report: Report, today: datetime.date) -> None:
    _duplicates(rows, lambda v: (v["external_id"],), "external_id", report)
    for _, values in rows:
        values["aliases"] = values["aliases"] or []
        for name in ("country_of_incorporation_id", "headquarters_country_id"):
            values[name] = values[name] or None


def _check_seats(rows, report: Report, today: datetime.date) -> None:
    _duplicates(rows, lambda v: (v["customer_external_id"], v["external_id"]), "external_id", report)
    _resolve(rows, "customer_external_id", "customer_id", report)
    statuses = (
        ("citizenship", StatusRecord.Kind.CITIZENSHIP),
        ("permanent_residency", StatusRecord.Kind.PERMANENT_RESIDENCY),
    )
    for line, values in rows:
        values["relationship"] = values["relationship"] or Person.Relationship.CUSTOMER_USER
        values["email"] = values["email"] or ""
        values["employer_id"] = values.get("customer_id")
        _not_future(values, "date_of_birth", today, line, report)
        values["statuses"] = []
        for name, kind in statuses:
            country, acquired_on = values.pop(name), values.pop(f"{name}_acquired_on")
            if (country is None) != (acquired_on is None):
                missing = f"{name}_acquired_on" if acquired_on is None else name
                report.add(line, missing, f"Give {name} and {name}_acquired_on together.")
                continue
            if country is None:
                continue
            if acquired_on > today:
                report.add(line, f"{name}_acquired_on", f"{acquired_on} is in the future; record a status once held.")
            elif values["date_of_birth"] and acquired_on < values["date_of_birth"]:
                report.add(line, f"{name}_acquired_on", f"{acquired_on} is before the date of birth.")
            values["statuses"].append({"kind": kind, "country_id": country, "acquired_on": acquired_on})


def _check_ownership(rows, report: Report, today: datetime.date) -> None:
    for line, values in rows:
        if not values["owner_external_id"] and not values["owner_name"]:
            report.add(line, "owner_external_id", "Name the owner: owner_external_id (a customer) or owner_name.")
        elif values["owner_external_id"] and values["owner_name"]:
            report.add(line, "owner_name", "Give owner_external_id or owner_name, not both.")
        elif values["owner_external_id"] == values["owned_external_id"]:
            report.add(line, "owner_external_id", "A customer cannot own itself.")
        _not_future(values, "verified_on", today, line, report)
        values["owner_name"] = values["owner_name"] or ""
    _duplicates(
        rows, lambda v: (v["owned_external_id"], v["owner_external_id"] or v["owner_name"]), "owner_name", report
    )
    _resolve(rows, "owned_external_id", "owned_id", report)
    _resolve(rows, "owner_external_id", "owner_id", report, optional=True)
    _check_totals(rows, report)


def _check_totals(rows, report: Report) -> None:
    # Shares the file replaces are not counted twice; the rest of what is recorded stays.
    by_owned: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for line, values in rows:
        if values.get("owned_id"):
            by_owned[values["owned_id"]].append((line, values))
    owned_ids = list(by_owned)
    for start in range(0, len(owned_ids), _LOOKUP_CHUNK):
        chunk = owned_ids[start : start + _LOOKUP_CHUNK]
        kept: dict[int, Decimal] = defaultdict(Decimal)
        replaced = {(o, v.get("owner_id"), v["owner_name"]) for o in chunk for _, v in by_owned[o]}
        for owned_id, owner_id, owner_name, share in Ownership.objects.filter(owned_id__in=chunk).values_list(
            "owned_id", "owner_id", "owner_name", "percentage"
        ):
            if (owned_id, owner_id, owner_name if owner_id is None else "") not in replaced:
                kept[owned_id] += share
        for owned_id in chunk:
            total = kept[owned_id] + sum(v["percentage"] for _, v in by_owned[owned_id])
            if total > 100:
                line = by_owned[owned_id][-1][0]
                report.add(line, "percentage", f"The owners of this customer would hold {total}% in all; at most 100%.")


def _check_addresses(rows, report: Report, today: datetime.date) -> None:
    for _, values in rows:
        for name in ("line2", "region", "postal_code"):
            values[name] = values[name] or ""
    _duplicates(
        rows,
        lambda v: (v["customer_external_id"], v["kind"], v["line1"], v["postal_code"], v["country_id"]),
        "line1",
        report,
    )
    _resolve(rows, "customer_external_id", "customer_id", report)


_CHECKS = {
    FileKind.CUSTOMERS: _check_customers,
    FileKind.SEATS: _check_seats,
    FileKind.OWNERSHIP: _check_ownership,
    FileKind.ADDRESSES: _check_addresses,
}


def check(kind: str, rows: Rows, *, today: datetime.date) -> Checked:
    """Check every row of a file of this kind; the rows come back only when there is no problem at all."""
    report = Report(rows=len(rows.rows))
    _headers(kind, rows.headers, report)
    if report.problem_count:
        return Checked(report, [])
    if not rows.rows:
        report.add(None, None, "The file has a header but no rows.")
        return Checked(report, [])
    countries = set(Country.objects.values_list("code", flat=True))
    read = []
    for line, cells in rows.rows:
        values = _read_row(kind, line, cells, countries, report)
        if values is not None:
            read.append((line, values))
    rows.rows = []
    _CHECKS[FileKind(kind)](read, report, today)
    return Checked(report, read if report.problem_count == 0 else [])
