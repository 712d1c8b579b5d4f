"""What a benchmark served over HTTP needs: a throwaway database, gunicorn in front of it, wrk's figures.

Shared by the access-check, gateway and posting benchmarks, which each load their own
data into the database and drive the server with wrk.
"""

import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def create_database(server_url: str, prefix: str) -> tuple[str, str]:
    """Create an empty database named for this benchmark and process; return its name and URL."""
    name = f"{prefix}_{os.getpid()}"
    with admin_connection(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def recreate_database(database_url: str) -> None:
    """Drop and create the database `database_url` names: a benchmark's own, emptied for each run."""
    name = urlsplit(database_url).path.lstrip("/")
    with admin_connection(database_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def peak_memory_mib() -> float:
    """The most memory this process has held, in MiB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def drop_database(server_url: str, name: str) -> None:
    with admin_connection(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "licensing.settings.base",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # The budget per token would otherwise cut the load test short.
        "API_REQUESTS_PER_MINUTE_PER_TOKEN": "100000000",
        "CELERY_BROKER_URL": "",
        # A benchmark may serve an application of its own from this folder.
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
    }


def start_server(
    database_url: str, port: int, log: Path, *, application: str, ready_path: str, workers: int
) -> subprocess.Popen:
    """Start gunicorn serving `application` and return once `ready_path` answers (at most 60 s)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    handle = open(log, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--no-control-socket",
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            application,
        ],
        cwd=ROOT,
        env=server_env(database_url),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    process.log_handle = handle
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2).read()  # noqa: S310 - 127.0.0.1 only
            return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log_handle.close()


def milliseconds(value: str) -> float:
    """A wrk latency ("850.00us", "1.20ms", "2.00s") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def licensed_customer(n: int, *, item, officer, reviewer, today):
    """A German customer with an approved determination and an active licence for `item`, made by the services.

    The longest path of a decision, which the served benchmarks ask about: its
    transaction's application is completed as an officer would (nothing
    uploaded), reviewed, filed, registered and licensed. Django must be set up.
    """
    import datetime

    from licensing.cases.models import LicenceApplication
    from licensing.cases.services import applications, licences
    from licensing.cases.services.transactions import record_transaction
    from tests.ready_to_file import complete_application

    customer = approved_german_customer(
        f"CHECK-{n:03d}", f"Checked Customer {n} GmbH", officer=officer, reviewer=reviewer, today=today
    )
    record, _ = record_transaction(
        actor=None,
        external_id=f"CHECK-TX-{n:03d}",
        customer=customer,
        person=None,
        item=item,
        activity="export",
        destination_country_id="DE",
        quantity=None,
        value=None,
        currency="USD",
        end_use="Inference",
    )
    application = LicenceApplication.objects.get(transaction=record)
    application = applications.update_application(
        actor=officer, application=application, signer_name="O. Officer", signer_title="Officer"
    )
    application = complete_application(application, officer=officer, upload=False)
    application = applications.submit_application_for_review(actor=officer, application=application)
    application = applications.approve_for_filing(actor=reviewer, application=application)
    application = applications.record_submission(actor=officer, application=application, control_number="Z123456")
    application = applications.record_registration(actor=officer, application=application)
    licences.record_approval(
        actor=officer,
        application=application,
        licence_number=f"D{n:06d}",
        valid_from=today - datetime.timedelta(days=10),
    )
    return customer


def migrate_and_set_up_django(database_url: str) -> None:
    """Migrate the benchmark's database and set Django up in this process, against it.

    Tasks queued while the benchmark loads or runs go to an in-memory broker
    nobody reads: what is timed is the requests or the work the benchmark runs
    itself, never background work beside it.
    """
    env = server_env(database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from licensing.celery import app

    app.conf.update(broker_url="memory://", task_always_eager=False)


def approved_german_customer(external_id: str, legal_name: str, *, officer, reviewer, today):
    """A German entity whose foreign-person determination was prepared, submitted and approved by the services."""
    import datetime

    from licensing.determinations import services as determinations
    from licensing.parties.models import Customer

    customer = Customer.objects.create(
        external_id=external_id,
        kind="entity",
        legal_name=legal_name,
        country_of_incorporation_id="DE",
        headquarters_country_id="DE",
    )
    draft = determinations.prepare_determination(
        actor=officer, subject=customer, effective_on=today - datetime.timedelta(days=30)
    )
    submitted = determinations.submit_determination(actor=officer, determination=draft)
    determinations.approve_determination(actor=reviewer, determination=submitted)
    return customer


def frontier_item_under_letter(today, *, application_per_transaction: bool = False):
    """The frontier model as a controlled item, under an is-informed letter for foreign persons since a year ago.

    By default a licence covers more than one transaction, so the access benches find authorised uses.
    """
    import datetime

    from licensing.reference.models import Activity, ControlledItem, LicenceRequirement

    item = ControlledItem.objects.create(code="frontier-1", name="Frontier-1 model weights", eccn="4E091")
    requirement = LicenceRequirement.objects.create(
        title="Is-informed letter",
        issued_on=today - datetime.timedelta(days=365),
        legal_basis="15 CFR 744 (is informed)",
        activities=list(Activity.values),
        scope=LicenceRequirement.Scope.FOREIGN_PERSONS,
        effective_from=today - datetime.timedelta(days=365),
        application_per_transaction=application_per_transaction,
    )
    requirement.items.set([item])
    return item
