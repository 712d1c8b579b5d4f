"""Benchmark: the access check under load, beside a trivial Django view served by the same server.

Run with `.venv/bin/python bench/access_check.py`. DATABASE_URL must name a
PostgreSQL server; a throwaway database is created there, loaded with 100,000
customers and 1,000,000 transactions (COPY), and dropped at the end. Gunicorn
(2 sync workers, --no-control-socket) serves the project on 127.0.0.1 and wrk
loads it, first the trivial view, then the access check, for a bounded time
each. Prints one markdown section with requests/second and p50/p99 latency for
both, and the access check's figures as ratios to the trivial view's.

Imported by gunicorn (not run as a script) this module is the server's URL
configuration and WSGI application: the project's URLs plus the trivial view.
"""

# The loading SQL is composed from the benchmark's own constants; no input reaches it.
# ruff: noqa: S608

import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from served import (
    create_database,
    drop_database,
    free_port,
    frontier_item_under_letter,
    licensed_customer,
    machine,
    migrate_and_set_up_django,
    milliseconds,
    start_server,
    stop_server,
)

CUSTOMERS = 100_000
TRANSACTIONS = 1_000_000
# Customers checked under load: each has an approved determination and an
# active licence, so every check walks the decision's longest path.
CHECKED_CUSTOMERS = 20
WORKERS = 2
CONNECTIONS = 2
WARMUP_SECONDS = 3
MEASURE_SECONDS = 15
GOAL_RATIO = 0.33
GOAL_P99_MS = 10.0


if __name__ != "__main__":
    # Imported by gunicorn: serve the project with one extra, trivial view.
    import django
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import include, path

    django.setup()
    settings.ROOT_URLCONF = __name__

    def trivial(request):
        return HttpResponse(b"ok", content_type="text/plain")

    urlpatterns = [path("bench/trivial", trivial), path("", include("licensing.urls"))]

    # The project's own WSGI module, as production serves it (it loads these URLs and freezes what is loaded).
    from licensing.wsgi import application  # noqa: F401


def load(database_url: str) -> tuple[str, list[str]]:
    """Migrate, bulk-load the volume, and prepare the checked customers; returns (token, their ids)."""
    migrate_and_set_up_django(database_url)
    return _load_records()


def _load_records() -> tuple[str, list[str]]:
    from django.db import connection
    from django.utils import timezone

    from licensing.accounts.models import Role, User
    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token

    today = timezone.localdate()
    item = frontier_item_under_letter(today)

    now = timezone.now()
    countries = ["DE", "FR", "GB", "JP", "IN", "BR", "CA", "AU"]
    started = time.monotonic()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY parties_customer (external_id, kind, legal_name, aliases, country_of_incorporation_id, "
            "headquarters_country_id, status, status_reason, created_at, updated_at) FROM STDIN"
        )
        with cursor.connection.cursor().copy(copy_sql) as copy:
            for n in range(CUSTOMERS):
                country = countries[n % len(countries)]
                copy.write_row(
                    (
                        f"BULK-{n:06d}",
                        "entity",
                        f"Bulk Customer {n} Ltd",
                        "[]",
                        country,
                        country,
                        "active",
                        "",
                        now,
                        now,
                    )
                )
        cursor.execute("SELECT id FROM parties_customer")
        customer_ids = [row[0] for row in cursor.fetchall()]
        rng = random.Random(8)
        copy_sql = (
            "COPY cases_transaction (external_id, customer_id, item_id, activity, destination_country_id, quantity, "
            "value, currency, end_use, requested_at, decision, decision_reasons, decision_basis, decided_at, "
            "created_at, updated_at) FROM STDIN"
        )
        reasons = json.dumps(["No approved foreign-person determination: pending determination."])
        with cursor.connection.cursor().copy(copy_sql) as copy:
            for n in range(TRANSACTIONS):
                copy.write_row(
                    (
                        f"BULK-TX-{n:07d}",
                        rng.choice(customer_ids),
                        item.pk,
                        "export",
                        countries[n % len(countries)],
                        None,
                        "100.00",
                        "USD",
                        "",
                        now,
                        "hold",
                        reasons,
                        "{}",
                        now,
                        now,
                        now,
                    )
                )
        cursor.execute("ANALYZE")
    loaded_in = time.monotonic() - started

    officer = User.objects.create(username="bench-officer", role=Role.OFFICER, is_staff=True)
    reviewer = User.objects.create(username="bench-reviewer", role=Role.REVIEWER, is_staff=True)
    checked = []
    for n in range(CHECKED_CUSTOMERS):
        customer = licensed_customer(n, item=item, officer=officer, reviewer=reviewer, today=today)
        checked.append(customer.external_id)
    started = time.monotonic()
    load_case_volume()
    print(f"loaded the case volume in {time.monotonic() - started:.0f} s", file=sys.stderr)
    token = issue_api_token(actor=None, name="bench", role=ClientRole.BILLING)[1]
    print(f"loaded {CUSTOMERS:,} customers and {TRANSACTIONS:,} transactions in {loaded_in:.0f} s", file=sys.stderr)
    return token, checked


def load_case_volume() -> None:
    """Give the bulk customers what a real book of business has, so every table the check reads is large.

    Each bulk customer gets an approved determination, a person with one, an
    application with a party and an active licence on its first transaction,
    and a screening against a list in force; one in a hundred has a hit. The
    checked customers are screened too, so they stay authorised. Rows are
    copied from the checked customers' own (made by the services) where they
    exist, so they are as complete as real ones.
    """
    from django.db import connection

    bulk = "SELECT id, country_of_incorporation_id AS country FROM parties_customer WHERE external_id LIKE 'BULK-%'"
    with connection.cursor() as cursor:
        _clone(
            cursor,
            "determinations_foreignpersondetermination",
            "status = 'approved'",
            bulk,
            {"customer_id": "src.id", "person_id": "NULL", "attribution_country_id": "src.country"},
        )
        cursor.execute(
            "INSERT INTO parties_person (external_id, relationship, given_name, family_name, employer_name, email, "
            "created_at, updated_at, customer_id, location_country_id) "
            "SELECT 'EMP-' || id, 'employee', 'Given', 'Family ' || id, '', '', now(), now(), id, country "
            f"FROM ({bulk}) src"
        )
        cursor.execute("ANALYZE parties_person")
        persons = "SELECT id, location_country_id AS country FROM parties_person"
        _clone(
            cursor,
            "determinations_foreignpersondetermination",
            "status = 'approved'",
            persons,
            {"customer_id": "NULL", "person_id": "src.id", "attribution_country_id": "src.country"},
        )
        first_transactions = (
            "SELECT DISTINCT ON (customer_id) id AS transaction_id, customer_id FROM cases_transaction "
            "WHERE external_id LIKE 'BULK-TX-%' ORDER BY customer_id, id"
        )
        _clone(
            cursor,
            "cases_licenceapplication",
            "true",
            first_transactions,
            {"customer_id": "src.customer_id", "transaction_id": "src.transaction_id", "person_id": "NULL"},
        )
        bulk_applications = (
            "SELECT a.id AS application_id, a.customer_id FROM cases_licenceapplication a "
            "JOIN cases_transaction t ON t.id = a.transaction_id WHERE t.external_id LIKE 'BULK-TX-%'"
        )
        _clone(
            cursor,
            "cases_licence",
            "true",
            bulk_applications,
            {
                "application_id": "src.application_id",
                "customer_id": "src.customer_id",
                "number": "'B' || src.application_id",
                "person_id": "NULL",
            },
        )
        _clone(
            cursor,
            "cases_applicationparty",
            "role = 'ultimate_consignee'",
            bulk_applications,
            {"application_id": "src.application_id", "customer_id": "src.customer_id", "person_id": "NULL"},
        )
    load_screening()


def load_screening() -> None:
    """A list version in force; every customer and person screened as it is now; a hit on one bulk customer in 100.

    Each screening carries the fingerprint of its subject's names and
    addresses, as the screening service records it: the decision treats a
    subject screened under other names as not screened.
    """
    from django.db import connection

    from licensing.parties.models import Customer, Person
    from licensing.screening.matching.blocking import name_words
    from licensing.screening.subjects import customer_fingerprint, person_fingerprint

    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO screening_listversion (feed, published_on, status, source, digest, row_count, entry_count, "
            "counts, change_counts, created_at, in_force_at) "
            "VALUES ('csl', CURRENT_DATE, 'in_force', 'bench', '', 10000, 10000, '{}', '{}', now(), now()) RETURNING id"
        )
        version = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO screening_listentry (key, fingerprint, list_code, source, entity_number, type, name, "
            "alt_names, addresses, countries, programs, federal_register_notice, license_requirement, "
            "license_policy, remarks, source_list_url, details, version_id) "
            "SELECT 'E-' || n, md5(n::text), 'EL', 'Entity List (EL) - Bureau of Industry and Security', n::text, "
            "'Entity', 'Listed Entity ' || n, '[]', '[]', '[\"CN\"]', '[]', '', 'For all items subject to the EAR', "
            "'Presumption of denial', '', '', '{}', %s FROM generate_series(1, 10000) n",
            [version],
        )
        screened = []
        for customer in Customer.objects.only(
            "legal_name", "aliases", "country_of_incorporation_id", "headquarters_country_id"
        ).prefetch_related("addresses"):
            fingerprint = customer_fingerprint(customer, customer.addresses.all())
            screened.append(("customer_id", customer.pk, [customer.legal_name, *customer.aliases], fingerprint))
        for person in Person.objects.only("given_name", "family_name", "location_country_id"):
            names = [f"{person.given_name} {person.family_name}"]
            screened.append(("person_id", person.pk, names, person_fingerprint(person)))
        for subject in ("customer_id", "person_id"):
            copy_sql = (
                "COPY screening_subjectscreening (screened_at, names, versions, match_count, fingerprint, "
                f"name_words, {subject}) FROM STDIN"
            )
            with cursor.connection.cursor().copy(copy_sql) as copy:
                for kind, pk, names, fingerprint in screened:
                    if kind == subject:
                        copy.write_row((now, json.dumps(names), "[]", 0, fingerprint, name_words(names), pk))
        cursor.execute(
            "INSERT INTO screening_hit (entry_key, status, score, subject_name, matched_name, reasons, "
            "first_matched_at, last_matched_at, proposal_reason, adjudication_reason, adjudicated_fingerprint, "
            "flag_reason, updated_at, customer_id, entry_id) "
            "SELECT e.key, (ARRAY['open', 'cleared', 'confirmed'])[1 + c.id % 3], 0.9, c.legal_name, e.name, '[]', "
            "now(), now(), '', '', '', '', now(), c.id, e.id "
            "FROM parties_customer c JOIN screening_listentry e ON e.key = 'E-' || (1 + c.id % 10000) "
            "WHERE c.external_id LIKE 'BULK-%' AND c.id % 100 = 0"
        )
        cursor.execute("ANALYZE")


def _clone(cursor, table: str, template: str, source: str, overrides: dict) -> None:
    """Insert one row of `table` per row of `source`: a copy of a template row with `overrides` as SQL."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
        "ORDER BY ordinal_position",
        [table],
    )
    columns = [row[0] for row in cursor.fetchall()]
    values = ", ".join(overrides.get(column, f"template.{column}") for column in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} "
        f"FROM (SELECT * FROM {table} WHERE {template} LIMIT 1) template CROSS JOIN ({source}) src"
    )
    # The next step's plan must see these rows: planned on the old statistics,
    # a join against a table just grown from 20 rows to 100,000 takes hours.
    cursor.execute(f"ANALYZE {table}")


def check_answers(port: int, token: str, customers: list[str]) -> None:
    """Refuse to time an access check that does not answer allowed: true for the prepared customers."""
    for customer in customers:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/access-check?customer={customer}&item=frontier-1",
            headers={"Authorization": f"Bearer {token}"},
        )
        answer = json.loads(urllib.request.urlopen(request, timeout=10).read())  # noqa: S310 - 127.0.0.1 only
        if answer.get("allowed") is not True:
            sys.exit(f"the access check for {customer} did not allow access: {answer}")


def wrk(url: str, seconds: int, script: Path | None = None) -> dict:
    command = [
        "wrk",
        "-t",
        str(CONNECTIONS),
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99": milliseconds(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "errors": "Non-2xx" in output or "Socket errors" in output,
        "raw": output,
    }


def lua_script(directory: Path, token: str, customers: list[str]) -> Path:
    """Billing asking about the checked customers in turn: each question is asked again and again."""
    paths = ", ".join(f'"/api/v1/access-check?customer={c}&item=frontier-1"' for c in customers)
    script = directory / "access_check.lua"
    script.write_text(
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f"local paths = {{{paths}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format(nil, paths[(n % #paths) + 1])\n"
        "end\n"
    )
    return script


def new_questions_script(directory: Path, token: str) -> Path:
    """Billing asking about the bulk customers in turn, each thread from its own place: no question comes twice."""
    script = directory / "new_questions.lua"
    script.write_text(
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "local threads = 0\n"
        "function setup(thread)\n"
        f"  thread:set('start', threads * {CUSTOMERS // CONNECTIONS})\n"
        "  threads = threads + 1\n"
        "end\n"
        "function init(args)\n"
        "  n = start\n"
        "end\n"
        'local path = "/api/v1/access-check?customer=BULK-%06d&item=frontier-1"\n'
        "request = function()\n"
        "  n = n + 1\n"
        f"  return wrk.format(nil, string.format(path, n % {CUSTOMERS}))\n"
        "end\n"
    )
    return script


def report(trivial: dict, access: dict, new: dict, count_queries: int, pages: tuple[int, list[str]]) -> str:
    ratio = access["rps"] / trivial["rps"]
    met = ratio >= GOAL_RATIO and access["p99"] < GOAL_P99_MS and not pages[1]

    def row(name, figures):
        return (
            f"| {name} | {figures['rps']:.0f} | {figures['p50']:.2f} | {figures['p99']:.2f} | "
            f"{figures['rps'] / trivial['rps']:.2f} |"
        )

    rows = [
        "| endpoint | requests/s | p50 (ms) | p99 (ms) | requests/s ratio |",
        "|---|---:|---:|---:|---:|",
        row("trivial Django view", trivial),
        row("GET /api/v1/access-check, questions asked before", access),
        row("GET /api/v1/access-check, a new question every time", new),
    ]
    return "\n".join(
        [
            "## Access check under load",
            "",
            f"Machine: {machine()}. Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
            "",
            f"Gunicorn, {WORKERS} sync workers, PostgreSQL over loopback, {CUSTOMERS:,} customers and "
            f"{TRANSACTIONS:,} transactions loaded; wrk with {CONNECTIONS} connections, {MEASURE_SECONDS} s per "
            f"endpoint after {WARMUP_SECONDS} s of warm-up, both in the same run. Each check is for one of "
            f"{CHECKED_CUSTOMERS} customers with an approved determination and an active licence (the decision's "
            f"longest path, {count_queries} database {'query' if count_queries == 1 else 'queries'} per check, the "
            "token lookup included). Beside "
            "them, each bulk customer has an approved determination, a person with one, an application with a "
            "party and an active licence, and a screening against a list in force; one in a hundred has a hit.",
            "",
            "A question asked before (the checked customers, in turn) is answered again once the check has read "
            "that the customer's decision stamp is unchanged; a new question (the bulk customers, in turn, none "
            "twice) reads all of the decision's facts. Both make one query.",
            "",
            f"The decision's statement reads {pages[0]} pages (8 kB buffers) per check; tables read in full: "
            f"{', '.join(pages[1]) or 'none'}.",
            "",
            *rows,
            "",
            f"Goal: at least {GOAL_RATIO:.2f} of the trivial view's requests/s with p99 under {GOAL_P99_MS:.0f} ms, "
            f"for questions asked before: {'met' if met else 'not met'}."
            + ("" if not any(f["errors"] for f in (trivial, access, new)) else " wrk reported errors; see its output."),
        ]
    )


def pages_read_per_check(customer: str) -> tuple[int, list[str]]:
    """Buffers the facts statement reads for one check, from its generic plan, and any table it reads in full.

    A branch no index serves reads its whole table on every check; on this
    volume that shows as hundreds of pages instead of a few dozen.
    """
    from django.db import connection
    from django.utils import timezone

    from licensing.cases import facts

    on = timezone.localdate()
    values = {"customer": customer, "item": "frontier-1", "person": None, "country": None, "activity": "export"}
    facts.load_facts(**values, transaction_id=None, on=on)  # prepares the statement on this connection
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(
            facts._statement(None).explain_sql(),
            [customer, None, "frontier-1", None, "export", None, on],
        )
        plan = cursor.fetchone()[0]
        cursor.execute("RESET plan_cache_mode")
    if isinstance(plan, str):
        plan = json.loads(plan)
    root = plan[0]["Plan"]
    in_full = []

    def walk(node):
        scanned = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        if "Relation Name" in node and scanned > 100:
            in_full.append(f"{node['Node Type']} on {node['Relation Name']} ({scanned} rows)")
        for child in node.get("Plans", []):
            walk(child)

    walk(root)
    return root["Shared Hit Blocks"] + root.get("Shared Read Blocks", 0), in_full


def queries_per_check(token: str, customer: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    # The first check decides and prepares the facts statement; the second
    # prepares the stamp statement. Count the third, as every later one runs.
    for _ in range(2):
        client.get(
            "/api/v1/access-check", {"customer": customer, "item": "frontier-1"}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    with CaptureQueriesContext(connection) as queries:
        client.get(
            "/api/v1/access-check", {"customer": customer, "item": "frontier-1"}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    return len(queries.captured_queries)


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/access_check.py needs DATABASE_URL naming a PostgreSQL server (make bench provides one)")
    if shutil.which("wrk") is None:
        sys.exit("bench/access_check.py needs wrk (Debian package wrk)")
    name, database_url = create_database(server_url, "exportdesk_bench_access")
    workdir = Path(tempfile.mkdtemp(prefix="exportdesk-bench-access-"))
    server = None
    try:
        token, customers = load(database_url)
        count = queries_per_check(token, customers[0])
        pages = pages_read_per_check(customers[0])
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(
            database_url,
            port,
            workdir / "gunicorn.log",
            application="access_check:application",
            ready_path="/bench/trivial",
            workers=WORKERS,
        )
        check_answers(port, token, customers)
        base = f"http://127.0.0.1:{port}"
        script = lua_script(workdir, token, customers)
        wrk(f"{base}/bench/trivial", WARMUP_SECONDS)
        trivial = wrk(f"{base}/bench/trivial", MEASURE_SECONDS)
        wrk(f"{base}/api/v1/access-check", WARMUP_SECONDS, script)
        access = wrk(f"{base}/api/v1/access-check", MEASURE_SECONDS, script)
        new = wrk(f"{base}/api/v1/access-check", MEASURE_SECONDS, new_questions_script(workdir, token))
        print(report(trivial, access, new, count, pages))
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        drop_database(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
