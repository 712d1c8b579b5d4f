"""Benchmark a list update: a new CSL version with N changed entries, against many subjects, until new hits are written.

Run with `.venv/bin/python bench/list_update.py` (options: --subjects N,
--changes N). It builds two versions of the full Consolidated Screening List
the screening app ships: the first without some of its entries, the second
with them (entries added) and with a new alias on others (entries changed).
For each changed entry one customer resembles it (its name as listed, a
letter dropped, or the new alias); every other customer has a Faker company
name. Customers and their screenings are bulk inserted, as the screening of
the first version would have left them.

Timed from the moment the second version's import committed: the subjects its
changes could affect screened first (`screen_changes_first`), new hits and
their events written. The full re-screen that follows is not run here
(`bench/screening.py --rescreen-only` measures it).

It keeps its own database, exportdesk_bench_list_update (or
BENCH_LIST_UPDATE_DATABASE), on the PostgreSQL server DATABASE_URL names,
dropped and created again on each run.
"""

import argparse
import csv
import datetime
import gzip
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from served import machine, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings.base")
DATABASE = os.environ.get("BENCH_LIST_UPDATE_DATABASE", "exportdesk_bench_list_update")
_server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
if _server.scheme in ("postgres", "postgresql"):
    os.environ["DATABASE_URL"] = urlunsplit(_server._replace(path="/" + DATABASE))
# Tasks run in this process, one after another.
os.environ["CELERY_BROKER_URL"] = ""
CSL = ROOT / "licensing" / "screening" / "data" / "csl" / "consolidated-2026-07-31.csv.gz"
COUNTRIES = ["US", "DE", "FR", "JP", "CN", "RU", "MX", "TR", "GB", "IN"]


def csl_rows() -> tuple[list[str], list[dict]]:
    with gzip.open(CSL, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def variant(name: str, rng: random.Random) -> str:
    """The name with one letter dropped from its longest word: a typo a customer record might carry."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 6:
        at = rng.randrange(1, len(word) - 1)
        words[longest] = word[:at] + word[at + 1 :]
    return " ".join(words)


def plan(columns, rows, changes: int, rng: random.Random):
    """The two versions' rows, and the names of customers that resemble each changed entry."""
    from faker import Faker

    by_id: dict[str, list[dict]] = {}
    for row in rows:
        by_id.setdefault(row["_id"], []).append(row)
    eligible = [
        key
        for key, group in by_id.items()
        if len(group) == 1 and group[0]["type"] != "Vessel" and 8 <= len(group[0]["name"]) <= 80
    ]
    chosen = rng.sample(eligible, changes)
    added, renamed = set(chosen[: changes * 3 // 4]), chosen[changes * 3 // 4 :]
    faker = Faker("en_US")
    faker.seed_instance(11)
    planted = []
    first = [row for row in rows if row["_id"] not in added]
    second = [dict(row) for row in rows]
    for position, key in enumerate(sorted(added)):
        name = by_id[key][0]["name"].split(";")[0]
        planted.append(name if position % 2 else variant(name, rng))
    new_aliases = {}
    for key in renamed:
        alias = f"{faker.last_name()} {faker.last_name()} {rng.choice(['Avionics', 'Photonics', 'Marine'])} Trading"
        new_aliases[key] = alias
        planted.append(alias)
    for row in second:
        if row["_id"] in new_aliases:
            row["alt_names"] = "; ".join(a for a in (row["alt_names"], new_aliases[row["_id"]]) if a)
    return first, second, planted


def insert_subjects(count: int, planted: list[str], version_id: int, rng: random.Random) -> float:
    """Bulk insert customers and their screenings against the first version; return the seconds it took."""
    from django.db import connection
    from django.utils import timezone
    from faker import Faker

    from licensing.parties.models import Customer
    from licensing.screening.matching.blocking import name_words
    from licensing.screening.subjects import fingerprint

    started = time.perf_counter()
    fakers = [Faker(locale) for locale in ("en_US", "de_DE", "fr_FR", "ja_JP", "zh_CN", "ru_RU", "es_MX", "tr_TR")]
    for number, faker in enumerate(fakers):
        faker.seed_instance(number)
    # Faker repeats itself within a locale; a pool, then combined, is fast and varied enough.
    pool = [rng.choice(fakers).company() for _ in range(min(count, 200_000))]
    surnames = [fakers[0].last_name() for _ in range(5000)]
    names = [*planted]
    while len(names) < count:
        name = rng.choice(pool)
        if len(names) % 3 == 0:
            name = f"{rng.choice(surnames)} {name}"
        names.append(name)
    rng.shuffle(names)
    now = timezone.now()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY parties_customer (id, external_id, kind, legal_name, aliases, status, status_reason, created_at, "
            "updated_at, country_of_incorporation_id, headquarters_country_id) FROM STDIN"
        ) as copy:
            for number, name in enumerate(names, start=1):
                country = COUNTRIES[number % len(COUNTRIES)]
                row = (number, f"BULK-{number:07d}", Customer.Kind.ENTITY.value, name[:300], "[]", "active", "")
                copy.write_row((*row, now, now, country, country))
        with raw.copy(
            "COPY screening_subjectscreening (screened_at, names, versions, match_count, customer_id, fingerprint, "
            "name_words) FROM STDIN"
        ) as copy:
            for number, name in enumerate(names, start=1):
                country = COUNTRIES[number % len(COUNTRIES)]
                addresses = [("incorporated", country), ("headquarters", country)]
                screened_as = fingerprint(names=(name[:300],), addresses=addresses)
                stored = (now, json.dumps([name[:300]]), f"[{version_id}]", 0, number, screened_as)
                copy.write_row((*stored, name_words([name[:300]])))
        cursor.execute("SELECT setval(pg_get_serial_sequence('parties_customer', 'id'), %s)", [count])
        cursor.execute("ANALYZE parties_customer")
        cursor.execute("ANALYZE screening_subjectscreening")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=200)
    arguments = parser.parse_args()
    rng = random.Random(7)

    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from licensing.screening.loading import current_index
    from licensing.screening.models import Feed, Hit, ListVersion
    from licensing.screening.services import imports
    from licensing.screening.services.imports import request_import, run_import
    from licensing.screening.services.priority import screen_changes_first

    # The follow-up tasks are run by hand below, one at a time: the full
    # re-screen of everyone is left out, and the changes first are timed alone.
    queued = []

    class Outbox:
        @staticmethod
        def enqueue(task, *args, **kwargs):
            queued.append((task, args))

    imports.outbox = Outbox  # type: ignore[assignment]
    imports._start_rescreen = lambda version_id: None  # type: ignore[assignment]

    columns, rows = csl_rows()
    first_rows, second_rows, planted = plan(columns, rows, arguments.changes, rng)
    with tempfile.TemporaryDirectory() as folder:
        first_path = Path(folder) / "consolidated-2026-07-31.csv"
        second_path = Path(folder) / "consolidated-2026-08-07.csv"
        write_csv(first_path, columns, first_rows)
        write_csv(second_path, columns, second_rows)
        first = run_import(
            request_import(actor=None, feed=Feed.CSL, sources={"list": str(first_path)}, enqueue=False).pk
        )
        assert first.version is not None, first.error
        insert_seconds = insert_subjects(arguments.subjects, planted, first.version.pk, rng)
        # A worker has its index built before the import: it was serving screens all along.
        current_index()
        started, started_cpu = time.perf_counter(), time.process_time()
        second = run_import(
            request_import(actor=None, feed=Feed.CSL, sources={"list": str(second_path)}, enqueue=False).pk
        )
        import_seconds, import_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    version = ListVersion.objects.get(pk=second.version_id)
    assert version.status == ListVersion.Status.IN_FORCE, second.error
    load_before = os.getloadavg()[0]
    started, started_cpu = time.perf_counter(), time.process_time()
    result = screen_changes_first(version.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    load_after = os.getloadavg()[0]
    assert result is not None
    found = Hit.objects.filter(customer__legal_name__in=planted, entry__version=version).values("customer").distinct()
    counts = version.change_counts

    print("## A list update screened first: changed entries against many subjects (bench/list_update.py)\n")
    print(
        f"Machine: {machine()}; run "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; load average {load_before:.1f} before the "
        f"timed part, {load_after:.1f} after (the 2 cores were shared: wall times include waiting for a core).\n"
    )
    print(
        f"{arguments.subjects:,} customers with their screenings, bulk inserted ({insert_seconds:.0f} s). The full "
        f"CSL of 2026-07-31 as the version in force without {counts['added']:,} of its entries; the new version adds "
        f"them and a new alias on {counts['changed']:,} others: {counts['added'] + counts['changed']:,} changed "
        f"entries. One customer resembles each (its listed name, that name with a letter dropped, or the new alias).\n"
    )
    print("| step | wall | CPU of this process |")
    print("|---|---:|---:|")
    print(
        "| import of the new version (read, check, load, compare, put in force) "
        f"| {import_seconds:.1f} s | {import_cpu:.1f} s |"
    )
    print(
        f"| from the import's commit: {result.subjects_scanned:,} subjects' stored name words run through the changed "
        f"entries' index ({result.scan_seconds:.0f} s of it), "
        f"{result.candidates:,} candidates screened in full, {result.hits_opened:,} new hits written with "
        f"their events and reactions | {seconds:.1f} s | {cpu:.1f} s |"
    )
    print(
        f"\nCustomers planted to resemble a changed entry that got a hit on it: {found.count():,} of {len(planted):,}. "
        f"Goal (issue 20): new hits written within 60 s of the import for 200 changed entries and 1,000,000 "
        f"subjects: {'met' if seconds <= 60 and arguments.subjects >= 1_000_000 else 'see the figures'} "
        f"({seconds:.0f} s wall, {cpu:.0f} s CPU)."
    )


if __name__ == "__main__":
    main()
