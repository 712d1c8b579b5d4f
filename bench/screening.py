"""Benchmark restricted-party screening: matching quality on held-out names, latency, the index, a re-screen.

Run with `.venv/bin/python bench/screening.py` (options: --customers N,
--per-kind N, --negatives N, --baseline-per-kind N, --baseline-negatives N,
--no-rescreen). It reads the full Consolidated Screening List from the
snapshot the screening app ships.

Quality is measured on the TEST part of the quality set (tests/screening/
quality.py): the set is split by a hash of each listed entry's key into a
development part, the only one the matcher's parameters were tuned on, and
a test part, which tuning never looked at and which alone is reported here.

The baseline is OpenSanctions' nomenklatura logic-v1 (installed by `make
bench` from requirements-bench.txt), measured in the same run on the same
test probes: each name is blocked to the listed names rapidfuzz ranks
closest (token_sort_ratio, top 20), and logic-v1 scores the query against
each of those entries with all its names.

Served: the same list imported into the benchmark's database, gunicorn
(2 sync workers) serves GET /api/v1/screening/search, and a client screens
test probes one after another, a new connection each (gunicorn's sync
workers do not keep connections open). Each worker builds its index on its
first screen; the benchmark reads that request's CPU from /proc, and each
worker's memory (RSS, and PSS, which shares pages between the workers)
before its first screen and after the run.

The re-screen and the served run keep their own database,
exportdesk_bench_screening, on the PostgreSQL server DATABASE_URL names
(default 127.0.0.1; created and migrated if missing, kept between runs).
Options: --no-served skips the served run.
"""

import argparse
import datetime
import gzip
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings.base")
# It adds 100,000 customers: never to the database DATABASE_URL itself names.
_server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
if _server.scheme in ("postgres", "postgresql"):
    os.environ["DATABASE_URL"] = urlunsplit(
        _server._replace(path="/" + os.environ.get("BENCH_SCREENING_DATABASE", "exportdesk_bench_screening"))
    )
# Tasks run in this process, one after another: the re-screen is timed on one core.
os.environ["CELERY_BROKER_URL"] = ""
CSL = ROOT / "licensing" / "screening" / "data" / "csl" / "consolidated-2026-07-31.csv.gz"
SERVED_WORKERS = 2
SERVED_PROBES = 1000


def ensure_database() -> None:
    import psycopg

    from licensing.settings.env import database_from_url

    settings = database_from_url(os.environ["DATABASE_URL"], base_dir=ROOT)
    if settings["ENGINE"] != "django.db.backends.postgresql":
        return
    admin = psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class LogicV1Baseline:
    """nomenklatura's logic-v1 over the entries rapidfuzz blocks each query to."""

    BLOCK = 20

    def __init__(self, entries):
        from followthemoney import model
        from nomenklatura.matching import LogicV1
        from nomenklatura.matching.types import ScoringConfig
        from rapidfuzz import utils

        self.model, self.algorithm, self.config = model, LogicV1, ScoringConfig.defaults()
        self.entries = {entry.key: entry for entry in entries}
        self.keys, self.names = [], []
        for entry in entries:
            for text, _ in entry.names:
                self.keys.append(entry.key)
                self.names.append(utils.default_process(text))
        self._entities = {}

    SCHEMAS = {"individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}

    def _entity(self, key):
        entity = self._entities.get(key)
        if entity is None:
            entry = self.entries[key]
            entity = self.model.make_entity(self.SCHEMAS.get(entry.type, "LegalEntity"))
            entity.id = f"e{len(self._entities)}"
            for text, is_alias in entry.names:
                entity.add("alias" if is_alias else "name", text)
            for country in entry.countries:
                entity.add("country", country.lower(), quiet=True)
            self._entities[key] = entity
        return entity

    def scores(self, probe) -> dict[str, float]:
        """Each blocked entry's logic-v1 score for the probe's name."""
        from rapidfuzz import fuzz, process, utils

        query = self.model.make_entity(
            {"individual": "Person", "entity": "Organization"}.get(probe.type, "LegalEntity")
        )
        query.id = "query"
        query.add("name", probe.text)
        blocked = process.extract(
            utils.default_process(probe.text),
            self.names,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            limit=self.BLOCK,
        )
        found = {}
        for _, _, position in blocked:
            key = self.keys[position]
            if key not in found:
                found[key] = self.algorithm.compare(query, self._entity(key), self.config).score
        return found


def recall_at(results, threshold):
    """Recall@1 at a threshold from (probe, {entry key: score}) pairs: the entry at the top score (ties count)."""
    found = 0
    for probe, scores in results:
        top = max(scores.values(), default=0.0)
        found += scores.get(probe.entry_key, 0.0) >= max(top, threshold)
    return found / max(len(results), 1)


def scores_of_ours(index, probe) -> dict[str, float]:
    from licensing.screening.matching.index import Query

    return {m.entry.key: m.score for m in index.search(Query(names=(probe.text,), type=probe.type), threshold=0.0)}


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def import_full_list() -> None:
    """Migrate the benchmark's database and put the full list in force the way the product does (once)."""
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from licensing.screening.models import Feed
    from licensing.screening.services.imports import request_import, run_import

    # The same list again is recognised by its digest and changes nothing.
    run = request_import(actor=None, feed=Feed.CSL, sources={"list": str(CSL)}, enqueue=False)
    run_import(run.pk)


def worker_pids(master: int) -> list[int]:
    """The processes gunicorn's master started: its workers."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            pids.append(int(status.parent.name))
    return sorted(pids)


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """A process's resident memory and its proportional share of it (PSS), in MiB."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss / 1024, pss / 1024


def served_screening(probes, threshold: float) -> dict:
    """Screen the probes through the search endpoint on gunicorn; latency, the workers' index builds and memory."""
    import tempfile
    import urllib.parse
    import urllib.request

    from django.db import connections
    from served import free_port, start_server, stop_server

    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token

    import_full_list()
    # The database is kept between runs, and a token's name is unique: one for each run.
    _, secret = issue_api_token(actor=None, name=f"bench-screening-{time.time_ns()}", role=ClientRole.SCREENING)
    connections.close_all()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="exportdesk-bench-screening-"))
    server = start_server(
        os.environ["DATABASE_URL"],
        port,
        workdir / "gunicorn.log",
        application="licensing.wsgi:application",
        ready_path="/healthz",
        workers=SERVED_WORKERS,
    )

    def screen(probe) -> float:
        parameters = {"name": probe.text, "threshold": f"{threshold}"}
        if probe.type:
            parameters["type"] = probe.type
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/screening/search?{urllib.parse.urlencode(parameters)}",
            headers={"Authorization": f"Bearer {secret}"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - 127.0.0.1 only
            response.read()
        return time.perf_counter() - started

    try:
        # Every worker must have started (gunicorn answers /healthz from the first).
        deadline = time.monotonic() + 30
        while len(workers := worker_pids(server.pid)) < SERVED_WORKERS and time.monotonic() < deadline:
            time.sleep(0.2)
        before = {pid: memory_mib(pid) for pid in workers}
        # Each worker builds its index on its first screen: screen until every one of them has.
        builds: dict[int, tuple[float, float]] = {}
        warm_up = iter(probes)
        for probe in warm_up:
            cpu_before = {pid: cpu_seconds(pid) for pid in workers}
            seconds = screen(probe)
            for pid in workers:
                used = cpu_seconds(pid) - cpu_before[pid]
                if pid not in builds and used > 0.5:
                    builds[pid] = (seconds, used)
            if len(builds) == len(workers):
                break
        measured = list(warm_up)[:SERVED_PROBES]
        load_before = os.getloadavg()[0]
        cpu_before = sum(cpu_seconds(pid) for pid in workers)
        latencies = [screen(probe) for probe in measured]
        worker_cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_before
        after = {pid: memory_mib(pid) for pid in workers}
    finally:
        stop_server(server)
    return {
        "workers": len(workers),
        "requests": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "cpu_per_request": worker_cpu / max(len(latencies), 1),
        "builds": [builds.get(pid) for pid in workers],
        "memory_before": [before[pid] for pid in workers],
        "memory_after": [after[pid] for pid in workers],
        "load": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
    }


def make_customers(count: int) -> int:
    """Create `count` realistic customers (a few of them listed parties); return how many were created."""
    from faker import Faker

    from licensing.parties.models import Customer
    from licensing.screening.importers.csl import merge_rows, read_csv

    existing = Customer.objects.filter(external_id__startswith="BENCH-").count()
    if existing >= count:
        return 0
    listed = [e.name for e in merge_rows(read_csv(gzip.decompress(CSL.read_bytes()))) if e.type != "vessel"]
    rng = random.Random(5)
    fakers = [Faker(locale) for locale in ("en_US", "de_DE", "fr_FR", "ja_JP", "zh_CN", "ru_RU", "es_MX", "tr_TR")]
    for number, faker in enumerate(fakers):
        faker.seed_instance(number)
    countries = ["US", "DE", "FR", "JP", "CN", "RU", "MX", "TR", "GB", "IN"]
    batch = []
    for number in range(existing, count):
        # One customer in two hundred is a listed party: the re-screen has hits to record.
        name = rng.choice(listed) if rng.random() < 0.005 else rng.choice(fakers).company()
        country = rng.choice(countries)
        batch.append(
            Customer(
                external_id=f"BENCH-{number:06d}",
                kind=Customer.Kind.ENTITY,
                legal_name=name[:300],
                country_of_incorporation_id=country,
                headquarters_country_id=country,
            )
        )
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    return count - existing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--per-kind", type=int, default=250, help="Test positives per kind of variation.")
    parser.add_argument("--negatives", type=int, default=3000, help="Test negatives.")
    parser.add_argument("--baseline-per-kind", type=int, default=80, help="Of those, positives per kind for logic-v1.")
    parser.add_argument("--baseline-negatives", type=int, default=1500, help="Of those, negatives for logic-v1.")
    parser.add_argument("--no-rescreen", action="store_true", help="Skip the database re-screen.")
    parser.add_argument("--no-served", action="store_true", help="Skip the screens served by gunicorn.")
    parser.add_argument("--rescreen-only", action="store_true", help="Only the database re-screen.")
    arguments = parser.parse_args()
    if arguments.rescreen_only:
        import django

        django.setup()
        print("## Full re-screen (bench/screening.py --rescreen-only)\n")
        now = datetime.datetime.now(datetime.UTC)
        print(f"Machine: {machine()}; Python {platform.python_version()}; run {now:%Y-%m-%d %H:%M} UTC.\n")
        print(rescreen(arguments.customers, None))
        return

    import gc

    import django

    django.setup()
    from licensing.screening.importers.csl import read_csv
    from licensing.screening.loading import match_threshold
    from licensing.screening.matching.index import Query, ScreeningIndex
    from licensing.screening.matching.names import analyse
    from tests.screening import quality

    started_on = datetime.datetime.now(datetime.UTC)
    threshold = match_threshold()

    # The index alone, built from the full CSL as a worker builds it at start.
    raw: dict[str, list[str]] = {}
    entries = quality.entries_from_csl_rows(read_csv(gzip.decompress(CSL.read_bytes())), raw=raw)
    gc.collect()
    rss_before = rss_bytes()
    build_started, build_cpu = time.perf_counter(), time.process_time()
    # rigour loads its tables on first use: part of a worker's start.
    analyse("warm", "entity")
    index = ScreeningIndex(entries)
    first_build_seconds, first_build_cpu = time.perf_counter() - build_started, time.process_time() - build_cpu
    gc.collect()
    rss_delta = rss_bytes() - rss_before
    build_started, build_cpu = time.perf_counter(), time.process_time()
    ScreeningIndex(entries)
    build_seconds, build_cpu = time.perf_counter() - build_started, time.process_time() - build_cpu
    gc.collect()

    positives = quality.positives(entries, per_kind=arguments.per_kind, part=quality.TEST, raw=raw)
    negatives = quality.negatives(arguments.negatives, listed=quality.listed_token_sets(entries), part=quality.TEST)

    # Timed first, as a worker meets names: each for the first time in this
    # process. Then again, with the matcher's caches holding their words.
    # As a worker holds it: the index outside the collector's generations.
    gc.freeze()
    timings = {}
    for label in ("first", "again"):
        latencies, cpu = [], []
        for probe in positives + negatives:
            started, started_cpu = time.perf_counter(), time.thread_time()
            index.search(Query(names=(probe.text,), type=probe.type), threshold=threshold)
            cpu.append(time.thread_time() - started_cpu)
            latencies.append(time.perf_counter() - started)
        timings[label] = [percentile(values, fraction) for values in (latencies, cpu) for fraction in (0.5, 0.99)]
    p50, p99, cpu_p50, cpu_p99 = timings["first"]
    load = os.getloadavg()[0]

    ours = quality.measure(index, positives + negatives, threshold=threshold)
    threshold_1pct = quality.threshold_at_false_positive_rate(quality.top_scores(index, negatives), 0.01)
    ours_1pct = quality.measure(index, positives + negatives, threshold=threshold_1pct)

    # The baseline on a sample of the same test probes, and this matcher on that sample too.
    rng = random.Random(9)
    sample_positives = [
        probe
        for kind in quality.KINDS
        for probe in rng.sample(
            [p for p in positives if p.kind == kind],
            min(arguments.baseline_per_kind, sum(p.kind == kind for p in positives)),
        )
    ]
    sample_negatives = rng.sample(negatives, min(len(negatives), arguments.baseline_negatives))
    try:
        baseline = LogicV1Baseline(entries)
    except ImportError as error:
        baseline, baseline_missing = None, f"nomenklatura is not installed ({error}); `make bench` installs it"
    comparison = None
    if baseline is not None:
        base_seconds, base_negative_tops, base_results = [], [], []
        for probe in sample_negatives + sample_positives:
            started = time.perf_counter()
            scores = baseline.scores(probe)
            base_seconds.append(time.perf_counter() - started)
            if probe.entry_key is None:
                base_negative_tops.append(max(scores.values(), default=0.0))
            else:
                base_results.append((probe, scores))
        base_threshold = quality.threshold_at_false_positive_rate(base_negative_tops, 0.01)
        ours_negative_tops = quality.top_scores(index, sample_negatives)
        ours_sample_threshold = quality.threshold_at_false_positive_rate(ours_negative_tops, 0.01)
        ours_results = [(probe, scores_of_ours(index, probe)) for probe in sample_positives]
        comparison = {
            "ours": recall_at(ours_results, ours_sample_threshold),
            "ours_threshold": ours_sample_threshold,
            "ours_fp": sum(t >= ours_sample_threshold for t in ours_negative_tops) / len(ours_negative_tops),
            "base": recall_at(base_results, base_threshold),
            "base_threshold": base_threshold,
            "base_fp": sum(t >= base_threshold for t in base_negative_tops) / len(base_negative_tops),
            "base_default": recall_at(base_results, 0.7),
            "base_default_fp": sum(t >= 0.7 for t in base_negative_tops) / len(base_negative_tops),
            "base_p50": percentile(base_seconds, 0.5),
            "base_mean": statistics.fmean(base_seconds),
            "by_kind": {
                kind: (
                    recall_at([r for r in ours_results if r[0].kind == kind], ours_sample_threshold),
                    recall_at([r for r in base_results if r[0].kind == kind], base_threshold),
                )
                for kind in quality.KINDS
            },
        }

    serving = None
    if not arguments.no_served:
        serving = served_screening(rng.sample(positives + negatives, len(positives + negatives)), threshold)
    rescreen_row = ""
    if not arguments.no_rescreen:
        rescreen_row = rescreen(arguments.customers, comparison["base_mean"] if comparison else None)

    print("## Restricted-party screening\n")
    print(
        f"Machine: {machine()}; Python {platform.python_version()}; run {started_on:%Y-%m-%d %H:%M} UTC; "
        f"load average {load:.1f} when latency was measured (wall times include waiting for a core).\n"
    )
    print(
        f"Lists: the full CSL of 2026-07-31, {len(entries):,} entries, {index.name_count:,} names. "
        f"Default threshold {threshold:.2f}.\n\n"
        f"**Reported part: TEST.** The quality set (tests/screening/quality.py) is split by a hash of each listed "
        f"entry's key into a development part and a test part; the matcher's parameters were tuned on the "
        f"development part only, and tuning never looked at the test part reported here. Test part: "
        f"{ours.positives:,} variations of listed names in {len(quality.KINDS)} kinds, {ours.negatives:,} names "
        f"that are not listed (Faker, 24 locales, non-Latin ones also romanised).\n"
    )
    print("| measure (test part) | this matcher |")
    print("|---|---|")
    print(
        f"| recall@1 at the default threshold {threshold:.2f} | {ours.recall:.3f} |\n"
        f"| false-positive rate at the default threshold | {ours.false_positive_rate:.4f} |\n"
        f"| recall@1 at false positives <= 1% | {ours_1pct.recall:.3f} (threshold {threshold_1pct:.3f}, "
        f"FP {ours_1pct.false_positive_rate:.4f}) |\n"
        f"| one-name screen in process, each name the first time, p50 / p99 (wall) | {p50 * 1000:.2f} ms / "
        f"{p99 * 1000:.2f} ms |\n"
        f"| one-name screen in process, each name the first time, p50 / p99 (CPU of the thread) | "
        f"{cpu_p50 * 1000:.2f} ms / {cpu_p99 * 1000:.2f} ms |\n"
        f"| the same names again, p50 / p99 (wall; CPU of the thread) | {timings['again'][0] * 1000:.2f} ms / "
        f"{timings['again'][1] * 1000:.2f} ms; {timings['again'][2] * 1000:.2f} ms / "
        f"{timings['again'][3] * 1000:.2f} ms |\n"
        f"| index build at a worker's start (rigour's tables loaded first), wall / CPU | {first_build_seconds:.1f} s "
        f"/ {first_build_cpu:.1f} s |\n"
        f"| index build again in the same process, wall / CPU | {build_seconds:.1f} s / {build_cpu:.1f} s |\n"
        f"| memory per worker for the index (RSS delta over the build) | {rss_delta / 2**20:.0f} MiB |"
    )
    print(
        "\nRecall@1 by kind at the default threshold: "
        + ", ".join(f"{kind} {value:.3f}" for kind, value in ours.recall_by_kind.items())
        + "."
    )
    if serving is not None:
        print(served_rows(serving))
    if comparison is None:
        print(f"\nBaseline: not measured: {baseline_missing}.")
    else:
        print(
            f"\nBaseline in the same run: nomenklatura logic-v1 with rapidfuzz blocking (token_sort_ratio, top "
            f"{LogicV1Baseline.BLOCK} names), on a sample of the same test part: {len(sample_positives):,} positives "
            f"(up to {arguments.baseline_per_kind} per kind) and {len(sample_negatives):,} negatives; this matcher "
            "on the same sample. Each threshold is the lowest letting at most 1% of the sample's negatives through.\n"
        )
        print("| measure (test sample) | this matcher | logic-v1 | ratio |")
        print("|---|---|---|---|")
        print(
            f"| recall@1 at FP <= 1% | {comparison['ours']:.3f} (threshold {comparison['ours_threshold']:.3f}, "
            f"FP {comparison['ours_fp']:.4f}) | {comparison['base']:.3f} (threshold "
            f"{comparison['base_threshold']:.3f}, FP {comparison['base_fp']:.4f}) "
            f"| {comparison['ours'] / max(comparison['base'], 1e-9):.3f} "
            f"({(comparison['ours'] - comparison['base']) * 100:+.1f} points) |\n"
            f"| logic-v1 at its usual threshold 0.70 | | {comparison['base_default']:.3f} "
            f"(FP {comparison['base_default_fp']:.4f}) | |\n"
            f"| one-name screen, p50 | {p50 * 1000:.2f} ms | {comparison['base_p50'] * 1000:.1f} ms "
            f"| {p50 / comparison['base_p50']:.3f} |"
        )
        print(
            "\nRecall@1 at FP <= 1% by kind, this matcher / logic-v1: "
            + ", ".join(f"{kind} {a:.2f}/{b:.2f}" for kind, (a, b) in comparison["by_kind"].items())
            + "."
        )
    if rescreen_row:
        print("\n" + rescreen_row)
    print(
        "\nRecall@1 counts the listed entry ranked first (an entry tied with it at the top score counts) and "
        "scoring at least the threshold. Latency is per name, one after another, in this process."
    )


def served_rows(serving: dict) -> str:
    """The served run as a paragraph and a table."""
    builds = [b for b in serving["builds"] if b]
    build = " and ".join(f"{seconds:.1f} s / {cpu:.1f} s" for seconds, cpu in builds) if builds else "not seen"
    memory = "; ".join(
        f"{before[0]:.0f} -> {after[0]:.0f} MiB RSS, {before[1]:.0f} -> {after[1]:.0f} MiB PSS"
        for before, after in zip(serving["memory_before"], serving["memory_after"], strict=True)
    )
    return (
        f"\nServed: gunicorn, {serving['workers']} sync workers, PostgreSQL over loopback, the same list imported; "
        f"{serving['requests']:,} test probes screened one after another through GET /api/v1/screening/search "
        f"(token with the screening role), a new connection each, the client on the same machine (load average "
        f"{serving['load']}).\n\n"
        "| measure (served) | value |\n|---|---|\n"
        f"| one-name screen over HTTP, p50 / p99 (wall, at the client) | {serving['p50'] * 1000:.2f} ms / "
        f"{serving['p99'] * 1000:.2f} ms |\n"
        f"| CPU of the workers per request (Django, the matcher, the driver; not PostgreSQL's) | "
        f"{serving['cpu_per_request'] * 1000:.2f} ms |\n"
        f"| a worker's first screen, which builds its index from the database, wall / CPU of the worker | {build} |\n"
        f"| memory per worker, before its first screen -> after the run | {memory} |"
    )


def rescreen(customers: int, base_seconds: float | None) -> str:
    """Import the list the way the product does, re-screen every customer; describe it in a sentence."""
    import_full_list()
    from licensing.screening.loading import current_index
    from licensing.screening.models import Rescreen
    from licensing.screening.services.rescreen import start_rescreen

    created = make_customers(customers)
    current_index()
    load_before = os.getloadavg()[0]
    started, started_cpu = time.perf_counter(), time.process_time()
    rescreen = start_rescreen(reason="benchmark")
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    rescreen = Rescreen.objects.get(pk=rescreen.pk)
    done, subjects = rescreen.progress()
    hits = sum(rescreen.batches.values_list("hits_changed", flat=True))
    versus = f" (logic-v1 at its mean per name would take {base_seconds * subjects:.0f} s)" if base_seconds else ""
    return (
        f"Re-screen of {subjects:,} subjects ({done:,} done, {hits:,} given a new hit) in one process, one batch "
        f"after another, database writes included: {seconds:.0f} s, {seconds / max(subjects, 1) * 1000:.2f} ms "
        f"each{versus}; CPU of this process (matching, Django, the driver; not PostgreSQL's) {cpu:.0f} s, "
        f"{cpu / max(subjects, 1) * 1000:.2f} ms each ({load}). {created:,} customers were created for this run "
        "(Faker company names in eight locales, one in two hundred a listed name)."
    )


if __name__ == "__main__":
    main()
