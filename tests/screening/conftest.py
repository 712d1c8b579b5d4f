"""Real list data for the screening tests, from the snapshots the screening app ships, and ways to edit it."""

import csv
import gzip
import io
from functools import lru_cache
from pathlib import Path

import pytest
from django.conf import settings

from licensing.screening.importers.csl import CSV_COLUMNS
from licensing.screening.models import Feed
from licensing.screening.services.imports import request_import, run_import

DATA = Path(settings.BASE_DIR) / "licensing" / "screening" / "data"
CSL_SAMPLE = DATA / "csl" / "consolidated-sample.csv"
CSL_FULL = DATA / "csl" / "consolidated-2026-07-31.csv.gz"
OFAC = DATA / "ofac"


def unpacked_bytes(path: Path) -> bytes:
    """The bytes of a shipped snapshot, unpacked if it is gzip-compressed."""
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def ofac_bytes(name: str) -> bytes:
    return unpacked_bytes(OFAC / f"{name}.csv.gz")


# Real entries from the full list that the decision tests lean on.
DENIED_COMPANY = "PT ANTASENA KREASI"
DENIED_PERSON = "PEJMAN MAHMOOD KOSARAYANIFARD"
ENTITY_LISTED = "Shenzhen Guoweichip Technology Co., Ltd."
ENTITY_LISTED_TOO = "Wellgo International Industrial Limited"


def sample_rows() -> list[dict]:
    with CSL_SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def _full_rows() -> tuple[dict, ...]:
    with gzip.open(CSL_FULL, "rt", encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def full_rows(*names: str) -> list[dict]:
    """The rows of the full CSL naming these parties (copies, free to edit)."""
    found = [dict(row) for row in _full_rows() if row["name"] in names]
    assert {row["name"] for row in found} == set(names), f"not in the CSL: {set(names) - {r['name'] for r in found}}"
    return found


def rows_of_lists(*prefixes: str) -> list[dict]:
    """Every row of the full CSL whose source starts with one of the prefixes (e.g. "Entity List")."""
    return [dict(row) for row in _full_rows() if row["source"].startswith(prefixes)]


def listed_rows() -> list[dict]:
    """The sample, plus real Denied Persons and Entity List entries."""
    return sample_rows() + full_rows(DENIED_COMPANY, DENIED_PERSON, ENTITY_LISTED, ENTITY_LISTED_TOO)


def csl_csv(rows: list[dict]) -> bytes:
    """Write rows in the CSL's CSV layout (every column, quoted as trade.gov does)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in CSV_COLUMNS})
    return out.getvalue().encode()


def import_csl(path, *, actor=None, published_on=None, file_format=""):
    """Import a CSL file through the service, in this process; return the finished import."""
    run = request_import(
        actor=actor,
        feed=Feed.CSL,
        sources={"list": str(path)},
        published_on=published_on,
        file_format=file_format,
        enqueue=False,
    )
    return run_import(run.pk)


@pytest.fixture
def write_csl(tmp_path):
    """Write rows as a CSL CSV file named for its date; return the path."""
    counter = {"n": 0}

    def write(rows, name=None):
        counter["n"] += 1
        path = tmp_path / (name or f"consolidated-2026-08-{counter['n']:02d}.csv")
        path.write_bytes(csl_csv(rows))
        return path

    return write


@pytest.fixture
def listed(db, write_csl, django_capture_on_commit_callbacks):
    """The CSL sample with real DPL and Entity List entries, imported and in force."""
    with django_capture_on_commit_callbacks(execute=True):
        run = import_csl(write_csl(listed_rows(), name="consolidated-2026-07-31.csv"))
    assert run.version is not None and run.version.status == "in_force", run.error
    return run.version
