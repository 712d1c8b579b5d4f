"""A dry run reports every problem by line and column and writes nothing; each bad input by name."""

import io

import openpyxl
import pytest

from licensing.parties.models import Customer, Ownership, Person
from licensing.restoration.intake import reading
from licensing.restoration.models import ImportRun
from licensing.restoration.services.imports import create_import_run
from tests.factories import CustomerFactory

from .intake_files import CUSTOMERS, SEATS, upload

pytestmark = pytest.mark.django_db


def problems(run):
    return [(p["line"], p["column"]) for p in run.report["problems"]]


def dry_run(officer, kind, text, name="book.csv"):
    return create_import_run(actor=officer, kind=kind, upload=upload(text, name), dry_run=True)


def test_a_clean_file_is_checked_and_nothing_is_written(officer):
    run = dry_run(officer, "customers", CUSTOMERS)
    assert run.status == ImportRun.Status.CHECKED
    assert run.report == {"rows": 3, "problem_count": 0, "problems": [], "truncated": False}
    assert not Customer.objects.exists()


def test_missing_and_unknown_columns_are_named_on_line_1(officer):
    run = dry_run(officer, "customers", "external_id,kind,colour\nB-1,entity,red\n")
    assert run.status == ImportRun.Status.REFUSED
    assert set(problems(run)) == {(1, "colour"), (1, "legal_name")}


def test_unknown_countries_are_named_by_line_and_column(officer):
    run = dry_run(officer, "customers", "external_id,kind,legal_name,country_of_incorporation\nB-1,entity,X,ZZ\n")
    assert problems(run) == [(2, "country_of_incorporation")]
    assert "Unknown country 'ZZ'" in run.report["problems"][0]["problem"]


def test_duplicate_ids_name_the_first_line(officer):
    run = dry_run(officer, "customers", CUSTOMERS + "B-2,entity,Again GmbH,DE,DE,\n")
    assert problems(run) == [(5, "external_id")]
    assert "Duplicate of line 3" in run.report["problems"][0]["problem"]


@pytest.mark.parametrize("when", ["2026-02-30", "2026-13-01", "30/01/2026", "yesterday"])
def test_impossible_dates_are_refused(officer, when):
    CustomerFactory(external_id="B-1")
    text = f"owned_external_id,owner_name,percentage,verified_on,source\nB-1,Fund,10,{when},registry\n"
    run = dry_run(officer, "ownership", text)
    assert problems(run) == [(2, "verified_on")]
    assert not Ownership.objects.exists()


def test_a_date_in_the_future_is_refused(officer, today):
    CustomerFactory(external_id="B-1")
    later = today.replace(year=today.year + 1)
    text = f"owned_external_id,owner_name,percentage,verified_on,source\nB-1,Fund,10,{later},registry\n"
    assert problems(dry_run(officer, "ownership", text)) == [(2, "verified_on")]


def test_a_ten_megabyte_cell_is_refused_by_line_before_parsing(officer):
    text = "external_id,kind,legal_name\nB-1,entity,Fine Inc\nB-2,entity," + "x" * (10 * 1024 * 1024) + "\n"
    run = dry_run(officer, "customers", text)
    assert run.status == ImportRun.Status.REFUSED
    assert problems(run) == [(3, None)]
    assert "10,485,7" in run.report["problems"][0]["problem"]
    assert not run.file


def test_a_long_cell_within_the_line_limit_names_its_column(officer):
    run = dry_run(officer, "customers", "external_id,kind,legal_name\nB-1,entity," + "x" * 400 + "\n")
    assert problems(run) == [(2, "legal_name")]
    assert "at most 300" in run.report["problems"][0]["problem"]


def test_a_file_over_the_size_limit_is_refused_unread(officer, monkeypatch):
    class Huge:
        name = "book.csv"
        size = 100 * 1024 * 1024

        def read(self):
            raise AssertionError("a file over the limit is never read")

    run = create_import_run(actor=officer, kind="customers", upload=Huge(), dry_run=True)
    assert run.status == ImportRun.Status.REFUSED
    assert "104,857,600 bytes" in run.report["problems"][0]["problem"]


def test_a_file_that_is_not_utf8_is_refused(officer):
    run = create_import_run(actor=officer, kind="customers", upload=upload(b"external_id\n\xff\xfe\n"), dry_run=True)
    assert "not UTF-8" in run.report["problems"][0]["problem"]


def test_an_empty_file_and_a_header_without_rows_are_refused(officer):
    assert "empty" in dry_run(officer, "customers", "").report["problems"][0]["problem"]
    assert "no rows" in dry_run(officer, "customers", "external_id,kind,legal_name\n").report["problems"][0]["problem"]


def test_required_cells_and_bad_choices_are_each_reported(officer):
    run = dry_run(officer, "customers", "external_id,kind,legal_name\n,company,Acme\nB-2,entity,\n")
    assert problems(run) == [(2, "external_id"), (2, "kind"), (3, "legal_name")]


def test_seats_of_an_unknown_customer_are_refused(officer):
    run = dry_run(officer, "seats", SEATS)
    assert set(problems(run)) == {(2, "customer_external_id"), (3, "customer_external_id"), (4, "customer_external_id")}
    assert not Person.objects.exists()


def test_a_citizenship_without_its_date_is_refused(officer):
    CustomerFactory(external_id="B-1")
    text = "customer_external_id,external_id,given_name,family_name,location_country,citizenship\nB-1,U-1,A,B,US,FR\n"
    assert problems(dry_run(officer, "seats", text)) == [(2, "citizenship_acquired_on")]


def test_owners_over_100_percent_are_refused(officer, today):
    owned = CustomerFactory(external_id="B-1")
    Ownership.objects.create(owned=owned, owner_name="Old Fund", percentage=60, verified_on=today, source="registry")
    text = "owned_external_id,owner_name,percentage,verified_on,source\nB-1,New Fund,50,2026-01-01,registry\n"
    run = dry_run(officer, "ownership", text)
    assert problems(run) == [(2, "percentage")]
    assert "110.00%" in run.report["problems"][0]["problem"]


def test_an_xlsx_file_is_read_like_a_csv(officer):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["external_id", "kind", "legal_name", "country_of_incorporation"])
    sheet.append([1001, "entity", "Numbers Inc", "US"])
    sheet.append(["B-2", "entity", "Place Ltd", "XX"])
    stream = io.BytesIO()
    book.save(stream)
    run = dry_run(officer, "customers", stream.getvalue(), name="book.xlsx")
    assert problems(run) == [(3, "country_of_incorporation")]


def test_a_corrupt_xlsx_is_refused(officer):
    run = dry_run(officer, "customers", b"PK\x03\x04 not really a workbook", name="book.xlsx")
    assert "not a readable XLSX" in run.report["problems"][0]["problem"]


def test_the_report_keeps_the_first_problems_and_counts_them_all(officer, monkeypatch):
    monkeypatch.setattr("licensing.restoration.intake.checking.MAX_REPORTED", 2)
    rows = "".join(f"B-{n},entity,Name,ZZ\n" for n in range(5))
    run = dry_run(officer, "customers", "external_id,kind,legal_name,country_of_incorporation\n" + rows)
    assert run.report["problem_count"] == 5 and len(run.report["problems"]) == 2 and run.report["truncated"]


def test_an_auditor_cannot_import(auditor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dry_run(auditor, "customers", CUSTOMERS)


def test_the_size_limit_is_the_readers(monkeypatch):
    assert reading.MAX_FILE_BYTES == 20 * 1024 * 1024
