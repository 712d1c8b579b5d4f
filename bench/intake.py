"""Benchmark bulk intake and triage of a customer book: N customers and 3N seats from CSV files.

Run with `.venv/bin/python bench/intake.py [--customers N]`. It builds the book in its own
database, exportdesk_bench_intake (or BENCH_INTAKE_DATABASE), on the PostgreSQL server
DATABASE_URL names, dropped and created again each run, and keeps the uploaded files in a
temporary folder. In this one process, as a worker would, it times:

- the dry run of every file (read with tablib, every row checked, nothing written);
- the import of every file (the Celery task's body: committed chunks through the parties'
  bulk writers, then triage of the imported subjects);
- triage of the whole book from nothing (every proposal removed first), the figure a new
  rule set costs;
- importing the same files again (nothing changes).

Seats go in files of at most 100,000 rows, under the 20 MB upload limit.
"""

import argparse
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from served import peak_memory_mib, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings.base")
_server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_INTAKE_DATABASE", "exportdesk_bench_intake")
os.environ["DATABASE_URL"] = urlunsplit(_server._replace(path="/" + DATABASE))
os.environ["CELERY_BROKER_URL"] = ""
os.environ["EXPORTDESK_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="exportdesk-bench-intake-")

SEATS_PER_FILE = 100_000
FOREIGN = ["DE", "GB", "IN", "FR", "JP", "CA", "BR", "KR", "SG", "CN"]


def customers_csv(count: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    out.write("external_id,kind,legal_name,country_of_incorporation,headquarters_country,aliases\n")
    for n in range(count):
        roll = rng.random()
        if roll < 0.6:
            home, kind = "US", "entity"
        elif roll < 0.95:
            home, kind = rng.choice(FOREIGN), "entity"
        elif roll < 0.99:
            home, kind = "US", "individual"
        else:
            home, kind = "IR", "entity"
        out.write(f"C-{n:07d},{kind},Customer {n} {'Inc' if home == 'US' else 'Ltd'},{home},{home},Cust {n}\n")
    return out.getvalue().encode()


def seats_csvs(customers: int, rng: random.Random) -> list[bytes]:
    header = (
        "customer_external_id,external_id,given_name,family_name,location_country,"
        "citizenship,citizenship_acquired_on,permanent_residency,permanent_residency_acquired_on\n"
    )
    files, out, rows = [], io.StringIO(), 0
    out.write(header)
    for n in range(customers):
        for seat in range(3):
            roll = rng.random()
            if roll < 0.5:
                status = "US,1990-01-01,,"
            elif roll < 0.6:
                status = f"{rng.choice(FOREIGN)},1985-01-01,US,2015-06-01"
            elif roll < 0.85:
                status = f"{rng.choice(FOREIGN)},1985-01-01,,"
            else:
                status = ",,,"
            out.write(f"C-{n:07d},U-{seat},Given{seat},Family{n},US,{status}\n")
            rows += 1
            if rows == SEATS_PER_FILE:
                files.append(out.getvalue().encode())
                out, rows = io.StringIO(), 0
                out.write(header)
    if rows:
        files.append(out.getvalue().encode())
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    options = parser.parse_args()
    recreate_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from licensing.accounts.models import Role, User
    from licensing.parties.models import Customer, Person
    from licensing.restoration.figures import bucket_counts
    from licensing.restoration.models import ImportRun, Proposal
    from licensing.restoration.services.imports import create_import_run, run_import, start_import_run
    from licensing.restoration.services.triage import triage_subjects

    officer = User.objects.create_user("bench-officer", role=Role.OFFICER, password=None)
    rng = random.Random(1)
    files = [("customers", "customers.csv", customers_csv(options.customers, rng))]
    files += [("seats", f"seats-{i}.csv", content) for i, content in enumerate(seats_csvs(options.customers, rng))]

    def dry_runs() -> list[ImportRun]:
        return [
            create_import_run(actor=officer, kind=kind, upload=SimpleUploadedFile(name, content), dry_run=True)
            for kind, name, content in files
        ]

    def import_all() -> list[ImportRun]:
        runs = []
        for kind, name, content in files:
            # Checked first, as an officer would; each file's seats name customers imported before it.
            checked = create_import_run(
                actor=officer, kind=kind, upload=SimpleUploadedFile(name, content), dry_run=True
            )
            assert checked.status == ImportRun.Status.CHECKED, checked.report["problems"][:3]
            start_import_run(actor=officer, run=checked)
            runs.append(run_import(checked.pk))
        return runs

    # The customers file's dry run alone: the seats' dry runs need the customers imported.
    started = time.perf_counter()
    customer_run = create_import_run(
        actor=officer, kind="customers", upload=SimpleUploadedFile(files[0][1], files[0][2]), dry_run=True
    )
    dry_run_seconds = time.perf_counter() - started
    assert customer_run.status == ImportRun.Status.CHECKED

    started = time.perf_counter()
    runs = import_all()
    import_seconds = time.perf_counter() - started
    assert all(run.status == ImportRun.Status.DONE for run in runs), [(r.status, r.error) for r in runs]
    rows = sum(run.total for run in runs)

    started = time.perf_counter()
    checked_again = dry_runs()
    all_dry_runs_seconds = time.perf_counter() - started
    assert all(run.status == ImportRun.Status.CHECKED for run in checked_again)

    import_peak = peak_memory_mib()
    # Straight to the table: Django's delete() would collect 400,000 objects first, which no worker does.
    Proposal.objects.all()._raw_delete(Proposal.objects.db)
    started = time.perf_counter()
    proposals = triage_subjects(Customer.objects.all(), Person.objects.all())
    triage_seconds = time.perf_counter() - started

    started = time.perf_counter()
    again = import_all()
    reimport_seconds = time.perf_counter() - started
    changed = sum(run.counts.get("created", 0) + run.counts.get("changed", 0) for run in again)

    counts = bucket_counts()
    print("## Bulk intake and triage (bench/intake.py)\n")
    print(
        f"A book of {options.customers:,} customers and {3 * options.customers:,} seats in "
        f"{len(files)} CSV files, imported in one process as the worker's task would.\n"
    )
    print("| Measure | Value |\n|---|---:|")
    print(f"| Rows imported | {rows:,} |")
    print(f"| Dry run of the customers file ({options.customers:,} rows) | {dry_run_seconds:.1f} s |")
    print(f"| Dry run of every file, book already imported | {all_dry_runs_seconds:.1f} s |")
    print(f"| Import of every file (check, write, triage of the imported) | {import_seconds:.1f} s |")
    print(f"| Dry run and import together (goal 3 min) | {(all_dry_runs_seconds + import_seconds) / 60:.1f} min |")
    print(f"| Triage of the whole book from nothing ({proposals:,} proposals, goal 2 min) | {triage_seconds:.1f} s |")
    print(f"| Importing the same files again | {reimport_seconds:.1f} s, {changed} records changed |")
    print(f"| Peak memory of the process through the dry runs and imports (goal 1 GiB) | {import_peak:.0f} MiB |")
    print(f"| Peak memory of the process at the end, whole-book triage included | {peak_memory_mib():.0f} MiB |")
    print("\n| Bucket | Subjects |\n|---|---:|")
    for bucket, count in counts.items():
        print(f"| {bucket} | {count:,} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["EXPORTDESK_MEDIA_ROOT"], ignore_errors=True)
