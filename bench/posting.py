"""Benchmark: transactions posted per second by one client and by eight at once.

Run with `.venv/bin/python bench/posting.py`. DATABASE_URL must name a
PostgreSQL server; a throwaway database is created there, migrated and given
a controlled item and customers with approved determinations (so each post is
recorded, decided authorised and written to the event log), and dropped at the
end. Gunicorn (8 sync workers) serves the project on 127.0.0.1 and wrk posts
`POST /api/v1/transactions`, each request with a new external id, first from
one connection, then from eight, for a bounded time each. Prints one markdown
section: transactions per second for each and the ratio of eight to one,
beside the figures measured before the event log stopped taking one lock for
every write (kept in BEFORE below).

Every post writes events, so before, when each event took the log's global
lock until its transaction committed, the eight clients queued behind one
another. Afterwards the events are linked into the chain by the sealer
(licensing/audit/sealing.py); the run ends by sealing and verifying the log.
"""

# The database name is composed from the process id; no input reaches the SQL.
# ruff: noqa: S608

import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from served import (
    ROOT,
    admin_connection,
    approved_german_customer,
    create_database,
    drop_database,
    free_port,
    machine,
    milliseconds,
    server_env,
    start_server,
    stop_server,
)

CUSTOMERS = 16
WORKERS = 8
CLIENTS = (1, 8)
WARMUP_SECONDS = 3
MEASURE_SECONDS = 12
# Measured with this script on the same machine, on the same code but for
# record_event, which took the log's one advisory lock and held it until commit.
BEFORE: dict | None = {
    "date": "2026-12-07 16:24 UTC",
    1: {"rps": 16.81, "p50": 54.3, "p99": 536.7, "active": 0.15, "waiting": 0.00},
    8: {"rps": 13.25, "p50": 580.0, "p99": 718.8, "active": 5.89, "waiting": 5.70},
}


def load(database_url: str) -> tuple[str, list[str]]:
    """Migrate and create the item, the customers and a billing token; returns (token, customer ids)."""
    env = server_env(database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from licensing.accounts.models import Role, User
    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token
    from licensing.reference.models import ControlledItem

    today = timezone.localdate()
    ControlledItem.objects.create(code="frontier-1", name="Frontier-1 model weights", eccn="4E091")
    officer = User.objects.create(username="bench-officer", role=Role.OFFICER, is_staff=True)
    reviewer = User.objects.create(username="bench-reviewer", role=Role.REVIEWER, is_staff=True)
    customers = []
    for n in range(CUSTOMERS):
        customer = approved_german_customer(
            f"POST-{n:03d}", f"Posting Customer {n} GmbH", officer=officer, reviewer=reviewer, today=today
        )
        customers.append(customer.external_id)
    token = issue_api_token(actor=None, name="bench", role=ClientRole.BILLING)[1]
    return token, customers


def post_script(directory: Path, token: str, customers: list[str], run: str) -> Path:
    """Billing posting transactions, each with an external id no other request in the run uses."""
    names = ", ".join(f'"{c}"' for c in customers)
    script = directory / f"post_{run}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"local customers = {{{names}}}\n"
        "local threads = 0\n"
        "function setup(thread)\n"
        "  thread:set('tid', threads)\n"
        "  threads = threads + 1\n"
        "end\n"
        "function init(args)\n"
        "  n = 0\n"
        "end\n"
        "request = function()\n"
        "  n = n + 1\n"
        f'  local body = string.format(\'{{"external_id": "{run}-%d-%d", "customer": "%s", "item": "frontier-1", '
        '"activity": "export", "destination_country": "DE", "value": "100.00"}\', '
        "tid, n, customers[(n % #customers) + 1])\n"
        "  return wrk.format(nil, nil, nil, body)\n"
        "end\n"
    )
    return script


def wrk(url: str, clients: int, seconds: int, script: Path) -> dict:
    command = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"wrk reported errors; every post must be recorded:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99": milliseconds(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
    }


class LockWaits:
    """Sample, every 20 ms, how many of the database's working backends are waiting for an advisory lock."""

    def __init__(self, server_url: str, database: str):
        self.conn = admin_connection(server_url)
        self.database = database
        self.samples: list[tuple[int, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        while not self.stop.wait(0.02):
            row = self.conn.execute(
                "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'), "
                "count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchone()
            self.samples.append(row)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.conn.close()

    def mean_waiting(self) -> float:
        return sum(waiting for waiting, _ in self.samples) / max(len(self.samples), 1)

    def mean_active(self) -> float:
        return sum(active for _, active in self.samples) / max(len(self.samples), 1)


def check_log(database_url: str) -> str:
    """Seal what the run left unsealed, as beat would, and verify the chain; returns verify_audit's summary."""
    env = server_env(database_url)
    if (ROOT / "licensing/audit/management/commands/seal_audit.py").exists():
        subprocess.run([sys.executable, "manage.py", "seal_audit"], cwd=ROOT, env=env, check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"verify_audit failed after the run:\n{result.stderr}")
    return result.stdout.strip()


def report(figures: dict[int, dict], verified: str, load_average: float) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    one, eight = figures[1], figures[8]
    lines = [
        "## Posting transactions concurrently (bench/posting.py)",
        "",
        f"Machine: {machine()}. Date: {now}. Load average at start: {load_average:.2f}. The machine's 2 cores are "
        "shared with other work, so figures move by some tens of percent between runs; compare the ratios.",
        "",
        f"Gunicorn, {WORKERS} sync workers, PostgreSQL over loopback, tasks in-process; wrk posting "
        f"`POST /api/v1/transactions` with a new external id each time, {MEASURE_SECONDS} s per run after "
        f"{WARMUP_SECONDS} s of warm-up. Each post is recorded, decided (authorised: an approved determination, "
        "no licence requirement) and writes two events. After the runs: " + verified,
        "",
        "| code | clients | transactions/s | p50 (ms) | p99 (ms) | 8 clients : 1 client "
        "| queries at work / waiting for an advisory lock (mean) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    if BEFORE is not None:
        ratio = BEFORE[8]["rps"] / BEFORE[1]["rps"]
        for clients in CLIENTS:
            f = BEFORE[clients]
            cell = f"{ratio:.2f}" if clients == 8 else ""
            lines.append(
                f"| before: one lock for every event ({BEFORE['date']}) | {clients} | {f['rps']:.1f} | "
                f"{f['p50']:.1f} | {f['p99']:.1f} | {cell} | {f['active']:.2f} / {f['waiting']:.2f} |"
            )
    for clients in CLIENTS:
        f = figures[clients]
        cell = f"{eight['rps'] / one['rps']:.2f}" if clients == 8 else ""
        lines.append(
            f"| this code | {clients} | {f['rps']:.1f} | {f['p50']:.1f} | {f['p99']:.1f} | {cell} "
            f"| {f['active']:.2f} / {f['waiting']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/posting.py needs DATABASE_URL naming a PostgreSQL server (make bench provides one)")
    if shutil.which("wrk") is None:
        sys.exit("bench/posting.py needs wrk (Debian package wrk)")
    load_average = os.getloadavg()[0]
    name, database_url = create_database(server_url, "exportdesk_bench_posting")
    workdir = Path(tempfile.mkdtemp(prefix="exportdesk-bench-posting-"))
    server = None
    try:
        token, customers = load(database_url)
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(
            database_url,
            port,
            workdir / "gunicorn.log",
            application="licensing.wsgi:application",
            ready_path="/healthz",
            workers=WORKERS,
        )
        url = f"http://127.0.0.1:{port}/api/v1/transactions"
        figures = {}
        for clients in CLIENTS:
            wrk(url, clients, WARMUP_SECONDS, post_script(workdir, token, customers, f"warm{clients}"))
            with LockWaits(server_url, name) as waits:
                figures[clients] = wrk(
                    url, clients, MEASURE_SECONDS, post_script(workdir, token, customers, f"c{clients}")
                )
            figures[clients].update(waiting=waits.mean_waiting(), active=waits.mean_active())
            print(f"{clients} client(s): {figures[clients]}", file=sys.stderr)
        stop_server(server)
        server = None
        print(report(figures, check_log(database_url), load_average))
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
        try:
            from django.db import connections

            # Raises when the run failed before Django was set up; the database is dropped all the same.
            connections.close_all()
        finally:
            drop_database(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
