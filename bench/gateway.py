"""Benchmark: the gateway's check before every model call, through real nginx, beside nginx and the stub alone.

Run with `.venv/bin/python bench/gateway.py`. DATABASE_URL must name a
PostgreSQL server; a throwaway database is created there and dropped at the
end. It holds the customers the gateway is asked about (each with an approved
determination and an active licence, the decision's longest path) and their
model API keys. Gunicorn serves ExportDesk (2 sync workers) and, apart, the
stub model server (a plain WSGI answer, 2 sync workers); one nginx runs
deploy/nginx/exportdesk-gateway.conf (nginx -> ExportDesk's check -> stub)
beside a plain proxy to the same stub (the baseline). wrk drives, in one run:
the baseline, the gateway with keys asked before (the checked customers'
keys in turn), and the gateway with a new key every time (keys never
presented before, each once). Prints one markdown section with requests/s,
p50/p99, the CPU time each part spent per request, and the gateway's figures
against the baseline's.

Imported by gunicorn (not run as a script) this module is the stub model
server: `gateway:stub`.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from served import (
    ROOT,
    admin_connection,
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

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOYED = ROOT / "deploy" / "nginx" / "exportdesk-gateway.conf"
ROUTE = "/v1/models/frontier-1/chat/completions"
# Customers asked about: each with an approved determination and an active licence.
CHECKED_CUSTOMERS = 20
# Keys never presented before: more than the new-key run can use at the rate this machine reaches.
NEW_KEYS = 60_000
# The client's address as the balancer before the gateway forwards it: Germany, where the customers are.
CLIENT_ADDRESS = "80.128.0.1"
WORKERS = 2
CONNECTIONS = 2
WARMUP_SECONDS = 3
MEASURE_SECONDS = 15
GOAL_RATIO = 0.5
GOAL_ADDED_P99_MS = 2.0

STUB_BODY = json.dumps({"model": "stub", "choices": [{"text": "ok"}]}).encode()


def stub(environ, start_response):
    """The stub model server: answers every call 200 with a small JSON body."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(STUB_BODY)))])
    return [STUB_BODY]


def allow_everything(environ, start_response):
    """An authoriser that checks nothing: what asking any Python server before each call costs at the least."""
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def load(database_url: str) -> tuple[list[str], list[str]]:
    """Migrate and load the checked customers and their keys; returns (keys asked before, new keys)."""
    migrate_and_set_up_django(database_url)
    return _load_records()


def _load_records() -> tuple[list[str], list[str]]:
    import secrets

    from django.utils import timezone

    from licensing.accounts.models import Role, User
    from licensing.gateway.models import ModelApiKey
    from licensing.gateway.services import KEY_PREFIX, hash_key, register_model_api_key

    today = timezone.localdate()
    item = frontier_item_under_letter(today)
    officer = User.objects.create(username="bench-officer", role=Role.OFFICER, is_staff=True)
    reviewer = User.objects.create(username="bench-reviewer", role=Role.REVIEWER, is_staff=True)
    customers, asked_before = [], []
    for n in range(CHECKED_CUSTOMERS):
        customer = licensed_customer(n, item=item, officer=officer, reviewer=reviewer, today=today)
        customers.append(customer)
        asked_before.append(register_model_api_key(actor=None, customer=customer, name="asked before")[1])
    # Written directly, as register_model_api_key would, without an event each: the keys are the volume.
    new_keys = [KEY_PREFIX + secrets.token_urlsafe(32) for _ in range(NEW_KEYS)]
    ModelApiKey.objects.bulk_create(
        [
            ModelApiKey(
                customer=customers[n % len(customers)], name=f"new {n}", prefix=raw[:12], key_hash=hash_key(raw)
            )
            for n, raw in enumerate(new_keys)
        ],
        batch_size=5000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return asked_before, new_keys


def nginx_config(
    prefix: Path,
    *,
    gateway_port: int,
    baseline_port: int,
    exportdesk_port: int,
    stub_port: int,
    ceiling_port: int,
    ceiling_gateway_port: int,
) -> str:
    """The deployed gateway configuration with this run's ports, and beside it a plain proxy to the same stub."""
    deployed = DEPLOYED.read_text()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{exportdesk_port};"),
        ("server 127.0.0.1:8080;", f"server 127.0.0.1:{stub_port};"),
        ("listen 127.0.0.1:8088;", f"listen 127.0.0.1:{gateway_port};"),
    ):
        if deployed.count(old) != 1:
            sys.exit(f"{DEPLOYED} no longer has {old!r}")
        deployed = deployed.replace(old, new)
    baseline = (
        f"server {{\n    listen 127.0.0.1:{baseline_port};\n    location / {{\n"
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        '        proxy_http_version 1.1;\n        proxy_set_header Connection "";\n'
        "        proxy_pass http://model_server;\n    }\n}\n"
    )
    # The same gateway again, asking the authoriser that checks nothing: the ceiling any check can reach.
    ceiling = deployed.replace("upstream model_server {", "upstream unused_model_server {", 1)
    ceiling = ceiling.replace("exportdesk_authorize", "allow_everything_authorize")
    ceiling = ceiling.replace(f"server 127.0.0.1:{exportdesk_port};", f"server 127.0.0.1:{ceiling_port};")
    ceiling = ceiling.replace(f"listen 127.0.0.1:{gateway_port};", f"listen 127.0.0.1:{ceiling_gateway_port};")
    temp = " ".join(
        f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # One worker process, as on a gateway host's share of two cores; nothing outlives the run.
    return (
        f"daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\naccess_log off;\n{temp}\n"
        f"{deployed}\n{ceiling}\n{baseline}}}\n"
    )


def start_nginx(workdir: Path, ports: dict) -> subprocess.Popen:
    config = workdir / "nginx.conf"
    config.write_text(nginx_config(workdir, **ports))
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and a file this script wrote
        [NGINX, "-p", str(workdir), "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"nginx stopped: {process.stdout.read().decode()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{ports['baseline_port']}/", timeout=2).read()  # noqa: S310
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit("nginx did not answer within 10 s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) used so far by a process and its children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            pending += [int(child) for child in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def database_cpu_seconds(server_url: str, database: str) -> float:
    """CPU time used so far by the PostgreSQL backends serving `database` (the servers' kept connections)."""
    with admin_connection(server_url) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
    return sum(cpu_seconds(pid) for pid in pids)


def wrk(url: str, seconds: int, script: Path, meters: dict) -> dict:
    """Drive `url` with wrk for `seconds`; `meters` read each part's CPU seconds so far."""
    before = {name: meter() for name, meter in meters.items()}
    command = ["wrk", "-t", str(CONNECTIONS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency"]
    command += ["--timeout", "5s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99": milliseconds(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "requests": requests,
        "errors": "Non-2xx" in output or "Socket errors" in output,
        # Milliseconds of CPU per request, for each part.
        "cpu": {name: (meter() - before[name]) * 1000 / max(requests, 1) for name, meter in meters.items()},
        "raw": output,
    }


def keys_script(directory: Path, name: str, keys: list[str], *, once: bool) -> Path:
    """Calls with the given keys in turn; `once`: each thread from its own share, so no key comes twice."""
    quoted = ", ".join(f'"{key}"' for key in keys)
    share = len(keys) // CONNECTIONS
    script = directory / f"{name}.lua"
    script.write_text(
        f'wrk.headers["X-Forwarded-For"] = "{CLIENT_ADDRESS}"\n'
        f"local keys = {{{quoted}}}\n"
        "local threads = 0\n"
        "function setup(thread)\n"
        f"  thread:set('start', {share if once else 1} * threads)\n"
        "  threads = threads + 1\n"
        "end\n"
        "function init(args)\n"
        "  n = start\n"
        "end\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  wrk.headers["Authorization"] = "Bearer " .. keys[(n % #keys) + 1]\n'
        f'  return wrk.format("POST", "{ROUTE}")\n'
        "end\n"
    )
    return script


def check_answers(gateway_port: int, keys: list[str]) -> None:
    """Refuse to time a gateway that does not let the prepared keys through."""
    for key in keys:
        request = urllib.request.Request(
            f"http://127.0.0.1:{gateway_port}{ROUTE}",
            method="POST",
            headers={"Authorization": f"Bearer {key}", "X-Forwarded-For": CLIENT_ADDRESS},
        )
        try:
            urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - 127.0.0.1 only
        except OSError as error:
            sys.exit(f"the gateway did not let an authorised key through: {error}")


def report(baseline: dict, asked: dict, new: dict, ceiling: dict, load_before: tuple, load_after: tuple) -> str:
    def row(name, figures, checker="exportdesk"):
        cpu = figures["cpu"]
        return (
            f"| {name} | {figures['rps']:.0f} | {figures['p50']:.2f} | {figures['p99']:.2f} | "
            f"{figures['rps'] / baseline['rps']:.2f} | {figures['p99'] - baseline['p99']:+.2f} | "
            f"{cpu['nginx']:.2f} | {cpu['stub']:.2f} | {cpu[checker]:.2f} | {cpu['database']:.2f} |"
        )

    met = {
        name: figures["rps"] / baseline["rps"] >= GOAL_RATIO and figures["p99"] - baseline["p99"] <= GOAL_ADDED_P99_MS
        for name, figures in (("keys asked before", asked), ("a new key every time", new))
    }
    wrapped = new["requests"] > NEW_KEYS
    return "\n".join(
        [
            "## Gateway: nginx asking ExportDesk before every model call",
            "",
            f"Machine: {machine()}. Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC. "
            f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; after: "
            f"{', '.join(f'{x:.2f}' for x in load_after)}.",
            "",
            "Debian's nginx (one worker) runs deploy/nginx/exportdesk-gateway.conf in front of a stub model server "
            f"(gunicorn, {WORKERS} sync workers, a fixed JSON answer), and beside it a plain proxy to the same stub "
            f"(the baseline). ExportDesk: gunicorn, {WORKERS} sync workers, PostgreSQL over loopback, location read "
            f"(X-Forwarded-For {CLIENT_ADDRESS}, Germany, from a trusted proxy). {CHECKED_CUSTOMERS} customers, each "
            f"with an approved determination and an active licence; {NEW_KEYS:,} further keys of theirs. wrk with "
            f"{CONNECTIONS} connections, {MEASURE_SECONDS} s per run after {WARMUP_SECONDS} s of warm-up, all in one "
            "run. Keys asked before: the customers' keys in turn. A new key every time: keys never presented before, "
            "each once"
            + (" (the run used more calls than there are keys, so some came twice)." if wrapped else ".")
            + " Every call is a POST the gateway allows. The ceiling: the same nginx configuration asking, instead "
            f"of ExportDesk, a gunicorn authoriser ({WORKERS} sync workers) that answers 200 at once. CPU columns: "
            "milliseconds of CPU (user and system) per request spent by each part (check: ExportDesk, or the "
            "authoriser that checks nothing; PostgreSQL: the backends of the servers' connections), from /proc, "
            "which a loaded machine inflates less than wall time.",
            "",
            "| through nginx | requests/s | p50 (ms) | p99 (ms) | requests/s ratio | added p99 (ms) | "
            "nginx CPU (ms) | stub CPU (ms) | check CPU (ms) | PostgreSQL CPU (ms) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            row("stub alone (baseline)", baseline),
            row("check, then stub: keys asked before", asked),
            row("check, then stub: a new key every time", new),
            row("an authoriser that checks nothing, then stub (the ceiling)", ceiling, "allow_everything"),
            "",
            f"Goal: at least {GOAL_RATIO:.1f} of the baseline's requests/s with at most {GOAL_ADDED_P99_MS:.0f} ms "
            "added at p99: "
            + "; ".join(f"{name} {'met' if ok else 'not met'}" for name, ok in met.items())
            + "."
            + (" wrk reported errors; see its output." if any(f["errors"] for f in (baseline, asked, new)) else ""),
            "The same gateway asking a gunicorn authoriser that checks nothing keeps "
            f"{ceiling['rps'] / baseline['rps']:.2f} of the baseline's requests/s: no check served the same way can "
            "keep more.",
        ]
    )


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/gateway.py needs DATABASE_URL naming a PostgreSQL server (make bench provides one)")
    for tool, package in ((NGINX, "nginx"), ("wrk", "wrk")):
        if shutil.which(tool) is None:
            sys.exit(f"bench/gateway.py needs {tool} (Debian package {package})")
    name, database_url = create_database(server_url, "exportdesk_bench_gateway")
    workdir = Path(tempfile.mkdtemp(prefix="exportdesk-bench-gateway-"))
    servers, nginx = [], None
    try:
        asked_before, new_keys = load(database_url)
        from django.db import connections

        connections.close_all()
        os.environ["GATEWAY_ROUTES"] = "/v1/models/frontier-1=frontier-1"
        os.environ["GATEWAY_TRUSTED_PROXIES"] = "127.0.0.1"
        ports = {"exportdesk_port": free_port(), "stub_port": free_port()}
        exportdesk = start_server(
            database_url,
            ports["exportdesk_port"],
            workdir / "exportdesk.log",
            application="licensing.wsgi:application",
            ready_path="/healthz",
            workers=WORKERS,
        )
        servers.append(exportdesk)
        model = start_server(
            database_url,
            ports["stub_port"],
            workdir / "stub.log",
            application="gateway:stub",
            ready_path="/",
            workers=WORKERS,
        )
        servers.append(model)
        ports["ceiling_port"] = free_port()
        allow_everything_server = start_server(
            database_url,
            ports["ceiling_port"],
            workdir / "allow_everything.log",
            application="gateway:allow_everything",
            ready_path="/",
            workers=WORKERS,
        )
        servers.append(allow_everything_server)
        ports.update(gateway_port=free_port(), baseline_port=free_port(), ceiling_gateway_port=free_port())
        nginx = start_nginx(workdir, ports)
        check_answers(ports["gateway_port"], asked_before)
        meters = {
            "nginx": lambda: cpu_seconds(nginx.pid),
            "stub": lambda: cpu_seconds(model.pid),
            "exportdesk": lambda: cpu_seconds(exportdesk.pid),
            "allow_everything": lambda: cpu_seconds(allow_everything_server.pid),
            "database": lambda: database_cpu_seconds(server_url, name),
        }
        baseline_url = f"http://127.0.0.1:{ports['baseline_port']}"
        gateway_url = f"http://127.0.0.1:{ports['gateway_port']}"
        asked_script = keys_script(workdir, "asked_before", asked_before, once=False)
        new_script = keys_script(workdir, "new_keys", new_keys, once=True)
        load_before = os.getloadavg()
        wrk(baseline_url, WARMUP_SECONDS, asked_script, meters)
        baseline = wrk(baseline_url, MEASURE_SECONDS, asked_script, meters)
        wrk(gateway_url, WARMUP_SECONDS, asked_script, meters)
        asked = wrk(gateway_url, MEASURE_SECONDS, asked_script, meters)
        new = wrk(gateway_url, MEASURE_SECONDS, new_script, meters)
        ceiling_url = f"http://127.0.0.1:{ports['ceiling_gateway_port']}"
        wrk(ceiling_url, WARMUP_SECONDS, asked_script, meters)
        ceiling = wrk(ceiling_url, MEASURE_SECONDS, asked_script, meters)
        load_after = os.getloadavg()
        print(report(baseline, asked, new, ceiling, load_before, load_after))
    finally:
        if nginx is not None:
            # SIGTERM, not SIGKILL: the master stops its worker; killed outright, it left the worker running.
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(timeout=10)
        for server in servers:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        drop_database(server_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
