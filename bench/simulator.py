"""Benchmark: the rule-change simulator over a full book, against the goal of two minutes.

Run with `.venv/bin/python bench/simulator.py`. DATABASE_URL must name a
PostgreSQL server; a throwaway database is created there, loaded (in SQL)
with SIMULATOR_CUSTOMERS customers (default 100,000), each with an approved
foreign-person determination, and SIMULATOR_TRANSACTIONS licence-awaiting
transactions (default 1,000,000) spread over them, each to its customer's
home, and dropped at the end. The homes alternate between Country Group A:1
countries and others. An is-informed letter requires a licence for every
foreign person; the change simulated relaxes it for A:1.

The simulation runs as the tasks do (`plan_simulation`, then one
`simulate_chunk` per range of customers), in this one process, one chunk
after another: what one Celery worker would take. Prints one markdown
section: subjects decided, the time, subjects per second, and the ratio of
the time to the goal (scaled to the book's size when run smaller).
"""

# The loading SQL is composed from the benchmark's own constants; no input reaches it.
# ruff: noqa: S608

import datetime
import os
import sys
import time

from served import create_database, drop_database, frontier_item_under_letter, machine, migrate_and_set_up_django

CUSTOMERS = int(os.environ.get("SIMULATOR_CUSTOMERS", "100000"))
TRANSACTIONS = int(os.environ.get("SIMULATOR_TRANSACTIONS", "1000000"))
FULL_CUSTOMERS, FULL_TRANSACTIONS = 100_000, 1_000_000
GOAL_SECONDS = 120.0
# Half the homes are in A:1 (the change releases them), half are not.
COUNTRIES = ["DE", "BR", "FR", "CN", "GB", "SA", "JP", "VN"]


def load() -> tuple[float, object]:
    from django.db import connection
    from django.utils import timezone

    from licensing.accounts.models import Role, User
    from licensing.policy.models import RuleChange
    from licensing.policy.services import draft_change

    today = timezone.localdate()
    # One application per transaction, as the letter in the mission requires.
    item = frontier_item_under_letter(today, application_per_transaction=True)
    requirement = item.licence_requirements.get()
    officer = User.objects.create(username="bench-officer", role=Role.OFFICER, is_staff=True)
    reviewer = User.objects.create(username="bench-reviewer", role=Role.REVIEWER, is_staff=True)
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_staff=True)
    countries = "ARRAY[" + ", ".join(f"'{code}'" for code in COUNTRIES) + "]"
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO parties_customer (external_id, kind, legal_name, aliases, country_of_incorporation_id, "
            "headquarters_country_id, status, status_reason, created_at, updated_at) "
            f"SELECT 'BULK-' || lpad(g::text, 6, '0'), 'entity', 'Bulk Customer ' || g || ' Ltd', '[]', "
            f"({countries})[1 + g % {len(COUNTRIES)}], ({countries})[1 + g % {len(COUNTRIES)}], "
            f"'active', '', now(), now() FROM generate_series(0, {CUSTOMERS - 1}) g"
        )
        cursor.execute(
            "INSERT INTO determinations_foreignpersondetermination (customer_id, status, outcome, basis, "
            "attribution_country_id, itar_countries, facts, effective_on, review_by, notes, prepared_by_id, "
            "approved_by_id, approved_at, created_at, updated_at) "
            "SELECT id, 'approved', 'foreign_person', 'foreign_organisation', country_of_incorporation_id, '[]', "
            f"'[]', %s, %s, '', {officer.pk}, {reviewer.pk}, now(), now(), now() FROM parties_customer",
            [today - datetime.timedelta(days=30), today + datetime.timedelta(days=300)],
        )
        cursor.execute(
            "INSERT INTO cases_transaction (external_id, customer_id, item_id, activity, destination_country_id, "
            "value, currency, end_use, requested_at, decision, decision_reasons, decision_basis, decided_at, "
            "created_at, updated_at) "
            "SELECT 'BULK-TX-' || lpad(g::text, 7, '0'), c.id, "
            f"{item.pk}, 'export', c.country_of_incorporation_id, 100, 'USD', '', now(), 'licence_required', "
            "'[]', '{}', now(), now(), now() "
            f"FROM generate_series(0, {TRANSACTIONS - 1}) g "
            f"JOIN (SELECT id, country_of_incorporation_id, row_number() OVER (ORDER BY id) - 1 AS n "
            f"FROM parties_customer) c ON c.n = g % {CUSTOMERS}"
        )
        cursor.execute("ANALYZE")
    loaded_in = time.monotonic() - started
    change = draft_change(
        actor=admin,
        kind=RuleChange.Kind.RELAX_COUNTRY_GROUP,
        requirement=requirement,
        country_group_id="A:1",
        reason="Benchmark: the letter relaxed for A:1 destinations.",
    )
    return loaded_in, change


def simulate(change) -> tuple[float, object]:
    from licensing.accounts.models import User
    from licensing.outbox.models import OutboxMessage
    from licensing.policy.models import Simulation
    from licensing.policy.tasks import plan_simulation, simulate_chunk

    simulation = Simulation.objects.create(
        change=change, decided_on=datetime.date.today(), requested_by=User.objects.get(username="bench-admin")
    )
    started = time.monotonic()
    plan_simulation.run(simulation.pk)
    for message in OutboxMessage.objects.filter(task=simulate_chunk.name).order_by("pk"):
        simulate_chunk.run(*message.args)
    elapsed = time.monotonic() - started
    simulation.refresh_from_db()
    return elapsed, simulation


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server.")
    name, url = create_database(server_url, "bench_simulator")
    try:
        migrate_and_set_up_django(url)
        loaded_in, change = load()
        elapsed, simulation = simulate(change)
    finally:
        drop_database(server_url, name)
    totals = simulation.results["totals"]
    scale = (FULL_CUSTOMERS + FULL_TRANSACTIONS) / (CUSTOMERS + TRANSACTIONS)
    projected = elapsed * scale
    print("## The rule-change simulator\n")
    print(f"{machine()}\n")
    print(
        f"A relaxation for A:1 simulated over {CUSTOMERS:,} customers and {TRANSACTIONS:,} licence-awaiting "
        f"transactions (loaded in {loaded_in:.0f} s), in one process, chunk after chunk.\n"
    )
    print("| subjects decided | changed | released | time | subjects/s | full book (projected) | goal |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {totals['subjects']:,} | {totals['changed']:,} | {totals['released']:,} | {elapsed:.1f} s "
        f"| {totals['subjects'] / elapsed:,.0f} | {projected:.0f} s | {GOAL_SECONDS:.0f} s "
        f"({projected / GOAL_SECONDS:.2f}×) |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
