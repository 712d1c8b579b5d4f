"""Importing lists as dated versions: in force, unchanged, refused, from a URL, by command and by task."""

import datetime
import functools
import http.server
import re
import threading
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from licensing.audit.models import Event
from licensing.screening.models import Feed, ListEntry, ListImport, ListVersion
from licensing.screening.services.imports import request_import, run_import
from licensing.screening.tasks import import_scheduled_lists

from .conftest import CSL_FULL, CSL_SAMPLE, OFAC, import_csl, sample_rows


def test_an_import_puts_a_dated_version_in_force_with_counts_per_list(db, write_csl):
    run = import_csl(write_csl(sample_rows(), name="consolidated-2026-07-31.csv"))
    assert run.status == ListImport.Status.IMPORTED, run.error
    version = run.version
    assert version.status == ListVersion.Status.IN_FORCE
    assert version.published_on == datetime.date(2026, 7, 31)
    assert version.row_count == len(sample_rows())
    # ROSNEFT TRADE LIMITED has one alias, SME BANK five.
    assert version.counts["SSI"] == {"rows": 3, "entries": 3, "aliases": 6, "addresses": 3}
    assert version.entries.count() == version.entry_count == len(sample_rows())
    assert Event.objects.filter(verb="screening.list_version_in_force").count() == 1


def test_importing_an_unchanged_list_again_changes_nothing(db, write_csl):
    first = import_csl(write_csl(sample_rows())).version
    events = Event.objects.count()
    again = import_csl(write_csl(sample_rows()[::-1], name="consolidated-2026-08-30.csv"))
    assert again.status == ListImport.Status.UNCHANGED
    assert again.version == first
    assert list(ListVersion.objects.values_list("pk", "status")) == [(first.pk, ListVersion.Status.IN_FORCE)]
    assert ListEntry.objects.count() == first.entry_count
    assert Event.objects.count() == events


def test_a_changed_list_supersedes_the_version_in_force(db, write_csl):
    first = import_csl(write_csl(sample_rows())).version
    rows = sample_rows()
    rows[0]["alt_names"] = "SINOBRIGHT TRADING"
    second = import_csl(write_csl(rows)).version
    first.refresh_from_db()
    assert (first.status, second.status) == (ListVersion.Status.SUPERSEDED, ListVersion.Status.IN_FORCE)
    assert second.replaces == first


def test_a_malformed_file_is_refused_with_line_and_reason_and_the_version_in_force_stays(db, write_csl):
    first = import_csl(write_csl(sample_rows())).version
    rows = sample_rows()
    rows[5]["type"] = "Organisation"
    run = import_csl(write_csl(rows))
    assert run.status == ListImport.Status.FAILED
    assert "line 7: type 'Organisation' is not one of" in run.error
    assert ListVersion.objects.in_force().get() == first
    assert ListEntry.objects.exclude(version=first).count() == 0


def test_a_missing_file_is_refused_without_a_version(db):
    run = import_csl("/nonexistent/consolidated.csv")
    assert run.status == ListImport.Status.FAILED
    assert run.error == "/nonexistent/consolidated.csv: no such file"
    assert not ListVersion.objects.exists()


def test_running_a_finished_import_again_does_nothing(db):
    run = import_csl(CSL_SAMPLE)
    assert run_import(run.pk).status == ListImport.Status.IMPORTED
    assert ListVersion.objects.count() == 1


def test_only_an_administrator_may_import(officer, admin_user):
    with pytest.raises(PermissionDenied):
        request_import(actor=officer, feed=Feed.CSL, sources={"list": str(CSL_SAMPLE)}, enqueue=False)
    run = request_import(actor=admin_user, feed=Feed.CSL, sources={"list": str(CSL_SAMPLE)}, enqueue=False)
    assert run.requested_by == admin_user


def test_an_ofac_import_needs_all_three_files(db):
    with pytest.raises(ValidationError) as refused:
        request_import(actor=None, feed=Feed.OFAC_SDN, sources={"sdn": str(OFAC / "sdn.csv.gz")})
    assert refused.value.message_dict == {"sources": ["Give a file or URL for: alt, add."]}


@pytest.fixture
def served(tmp_path):
    """Serve a directory over real HTTP on a free local port; yields a function from file name to URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield lambda name: f"http://127.0.0.1:{server.server_address[1]}/{name}"
    server.shutdown()
    server.server_close()


def test_a_list_is_imported_from_a_url(db, tmp_path, served):
    (tmp_path / "consolidated.csv").write_bytes(CSL_SAMPLE.read_bytes())
    run = import_csl(served("consolidated.csv"), published_on=datetime.date(2026, 7, 31))
    assert run.status == ListImport.Status.IMPORTED, run.error
    assert run.version.source == served("consolidated.csv")


def test_a_url_that_answers_404_is_refused(db, served):
    run = import_csl(served("missing.csv"))
    assert run.status == ListImport.Status.FAILED
    assert "answered 404" in run.error


def test_the_command_imports_and_shows_progress_and_counts(db):
    out = StringIO()
    call_command("import_screening_list", "csl", str(CSL_SAMPLE), "--published-on", "2026-07-31", stdout=out)
    text = out.getvalue()
    assert "checking every row" in text
    assert "loading the entries" in text
    assert "Imported Consolidated Screening List of 2026-07-31" in text
    assert re.search(r"SSI +3 entries +3 rows", text)


def test_the_command_refuses_a_malformed_file_with_line_and_reason(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(CSL_SAMPLE.read_bytes().rstrip(b"\n") + b'\n"x","Entity List (EL) - BIS"\n')
    with pytest.raises(CommandError, match=r"bad.csv line \d+: expected 29 fields, found 2"):
        call_command("import_screening_list", "csl", str(bad), stdout=StringIO())


def test_the_command_imports_the_ofac_files_from_a_directory(db):
    out = StringIO()
    call_command("import_screening_list", "ofac", "--ofac-dir", str(OFAC), stdout=out)
    version = ListVersion.objects.in_force().get(feed=Feed.OFAC_SDN)
    assert version.counts["SDN"]["entries"] == 7379
    assert version.counts["SDN"]["aliases"] > 9000
    assert re.search(r"SDN +7,379 entries +7,379 rows", out.getvalue())


@pytest.mark.slow
def test_the_full_consolidated_screening_list_imports_with_its_counts_per_list(db):
    run = import_csl(CSL_FULL)
    assert run.status == ListImport.Status.IMPORTED, run.error
    version = run.version
    assert version.row_count == 25921
    rows = {code: counts["rows"] for code, counts in version.counts.items()}
    assert rows == {
        "SDN": 19181,
        "EL": 3420,
        "DPL": 1596,
        "DTC": 787,
        "SSI": 286,
        "UVL": 222,
        "ISN": 161,
        "PLC": 78,
        "MEU": 70,
        "CMIC": 68,
        "NS-MBS": 51,
        "CAP": 1,
    }
    # Rows that repeat a party (a second address or order) are one entry.
    assert version.entry_count == ListEntry.objects.filter(version=version).count() == 25746
    assert version.counts["EL"]["entries"] == 3329


def test_the_scheduled_import_fetches_each_configured_feed(
    db, settings, tmp_path, served, django_capture_on_commit_callbacks
):
    (tmp_path / "consolidated.csv").write_bytes(CSL_SAMPLE.read_bytes())
    settings.SCREENING_SCHEDULED_SOURCES = {"csl": {"list": served("consolidated.csv")}}
    with django_capture_on_commit_callbacks(execute=True):
        (import_id,) = import_scheduled_lists.delay().get()
    assert ListImport.objects.get(pk=import_id).status == ListImport.Status.IMPORTED
    with django_capture_on_commit_callbacks(execute=True):
        (again,) = import_scheduled_lists.delay().get()
    assert ListImport.objects.get(pk=again).status == ListImport.Status.UNCHANGED
