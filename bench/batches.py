"""Benchmark the batch four-eyes review: preparing and approving N determinations in one process.

Run with `.venv/bin/python bench/batches.py [--subjects N] [--held-every K]`. It builds a
throwaway book in its own database, exportdesk_bench_batches, on the PostgreSQL server
DATABASE_URL names (dropped and created again each run): N U.S. customers, triaged and
their proposals accepted, and a held transaction for every K-th customer. It then times,
in this process, one step after another:

- preparing the batch: one determination per subject, assessed, submitted for review;
- the reviewer's part: taking the batch and opening every sampled subject;
- approving it: each determination approved in its own transaction, with its event;
- the tasks those approvals queued through the outbox (re-deciding held transactions, review
  clocks), run afterwards in this process one by one (workers run them in parallel).

It reports the officer and reviewer actions the batch needed beside what preparing,
submitting and approving each determination on its own page would need.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from served import peak_memory_mib, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings.base")
_server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_BATCHES_DATABASE", "exportdesk_bench_batches")
os.environ["DATABASE_URL"] = urlunsplit(_server._replace(path="/" + DATABASE))
os.environ["CELERY_BROKER_URL"] = ""


def _approve_range(arguments: tuple[int, int, int]) -> None:
    from licensing.batches.services.approval import approve_batch_entries

    approve_batch_entries(arguments[0], first=arguments[1], last=arguments[2])


def approve_in_processes(batch, workers: int) -> None:
    """Share the batch's approval ranges among processes, as Celery workers share its tasks."""
    import multiprocessing

    from django.db import connections

    from licensing.batches.services.approval import approval_ranges

    ranges = [(batch.pk, first, last) for first, last in approval_ranges(batch, size=250)]
    # Each process opens its own connections; none may inherit this one.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_approve_range, ranges, chunksize=1)


def build_book(subjects: int, held_every: int):
    from licensing.accounts.models import Role, User
    from licensing.cases.services.transactions import decide_transaction, record_transaction
    from licensing.parties.models import Customer
    from licensing.reference.models import Activity, ControlledItem, LicenceRequirement
    from licensing.restoration.models import Proposal
    from licensing.restoration.services.triage import accept_proposals, triage_subjects

    officer = User.objects.create(username="bench-officer", role=Role.OFFICER)
    reviewer = User.objects.create(username="bench-reviewer", role=Role.REVIEWER)
    item = ControlledItem.objects.create(code="frontier-1", name="Frontier-1", eccn="4E091", manufacturer="M")
    requirement = LicenceRequirement.objects.create(
        title="Is-informed letter",
        issued_on=datetime.date(2026, 1, 1),
        legal_basis="15 CFR 744",
        activities=list(Activity.values),
        scope=LicenceRequirement.Scope.FOREIGN_PERSONS,
        effective_from=datetime.date(2026, 1, 1),
        application_per_transaction=True,
    )
    requirement.items.set([item])
    Customer.objects.bulk_create(
        [
            Customer(
                external_id=f"BENCH-{i:07d}",
                kind=Customer.Kind.ENTITY,
                legal_name=f"Bench Customer {i} Inc.",
                country_of_incorporation_id="US",
                headquarters_country_id="US",
            )
            for i in range(subjects)
        ],
        batch_size=2000,
    )
    customers = list(Customer.objects.order_by("pk"))
    held = 0
    for customer in customers[::held_every] if held_every else []:
        record, _ = record_transaction(
            actor=None,
            external_id=f"TX-{customer.pk}",
            customer=customer,
            person=None,
            item=item,
            activity=Activity.EXPORT,
            destination_country_id="US",
            quantity=None,
            value=1000,
            currency="USD",
            end_use="Research",
        )
        held += decide_transaction(actor=None, transaction_record=record).decision == "hold"
    started = time.perf_counter()
    triage_subjects(Customer.objects.all())
    triage_seconds = time.perf_counter() - started
    accept_proposals(actor=officer, proposals=Proposal.objects.current())
    return officer, reviewer, held, triage_seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=5000)
    parser.add_argument("--held-every", type=int, default=10)
    parser.add_argument(
        "--workers", type=int, default=1, help="Approve the batch's ranges in this many processes, as workers would."
    )
    options = parser.parse_args()

    load_at_start = os.getloadavg()[0]
    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from licensing.batches.models import BatchEntry
    from licensing.batches.services.approval import approve_batch_entries
    from licensing.batches.services.preparation import prepare_batch, start_batch
    from licensing.batches.services.review import approve_batch, open_entry, start_review
    from licensing.cases.models import Transaction

    officer, reviewer, held, triage_seconds = build_book(options.subjects, options.held_every)

    started, cpu = time.perf_counter(), time.process_time()
    batch = start_batch(actor=officer, buckets=["restorable"], effective_on=timezone.localdate())
    batch = prepare_batch(batch.pk)
    prepare_seconds, prepare_cpu = time.perf_counter() - started, time.process_time() - cpu

    started = time.perf_counter()
    start_review(actor=reviewer, batch=batch)
    batch.refresh_from_db()
    for entry in batch.entries.filter(sampled=True).select_related("batch"):
        open_entry(actor=reviewer, entry=entry)
    review_seconds = time.perf_counter() - started

    # The approval's writes are timed apart from the work its reactions queue (re-decisions, review clocks),
    # which workers do in parallel: the queued tasks are held here, then run one after another and timed.
    from licensing.outbox import services as outbox

    sending = outbox.send
    outbox.send = lambda message_id: False
    started, cpu = time.perf_counter(), time.process_time()
    approve_batch(actor=reviewer, batch=batch)
    if options.workers > 1:
        approve_in_processes(batch, options.workers)
    batch = approve_batch_entries(batch.pk)
    approve_seconds, approve_cpu = time.perf_counter() - started, time.process_time() - cpu
    outbox.send = sending
    started = time.perf_counter()
    queued = outbox.relay(limit=10_000_000)
    reactions_seconds = time.perf_counter() - started

    counts = batch.counts()
    approved = counts[BatchEntry.State.APPROVED]
    authorised = Transaction.objects.filter(decision="authorised").count()
    per = approve_seconds / max(approved, 1)
    target = 50_000
    batch_actions = 1 + 1 + batch.sample_size + 1
    print("## Batch review of determinations (bench/batches.py)\n")
    print(
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average at start "
        f"{load_at_start:.2f}, one process, PostgreSQL on the same machine.\n"
    )
    print("| Measure | Value |\n|---|---:|")
    print(f"| Subjects (U.S. customers, accepted as restorable) | {options.subjects:,} |")
    print(f"| Processes approving | {options.workers} |")
    print(f"| Triage of the book | {triage_seconds:.1f} s |")
    print(f"| Preparing the batch (assess, prepare, submit each) | {prepare_seconds:.1f} s ({prepare_cpu:.1f} s CPU) |")
    print(f"| Reviewer: take the batch, open the {batch.sample_size} sampled subjects | {review_seconds:.2f} s |")
    print(
        f"| Approving {approved:,} determinations, each with its event | "
        f"{approve_seconds:.1f} s ({approve_cpu:.1f} s CPU) |"
    )
    print(f"| per determination | {per * 1000:.1f} ms |")
    print(
        f"| The {queued:,} tasks the approvals queued (re-decisions, review clocks), one after another | "
        f"{reactions_seconds:.1f} s |"
    )
    print(f"| {target:,} at that rate | {per * target / 60:.1f} min (goal 3 min) |")
    print(f"| Held transactions authorised by the approvals | {authorised:,} of {held:,} |")
    print(f"| Peak memory of the process | {peak_memory_mib():.0f} MiB |")
    print(
        f"| Officer and reviewer actions for these {approved:,} | {batch_actions} "
        f"(one at a time: {3 * approved:,}: prepare, submit, approve each) |"
    )
    print(
        f"\nPer 1,000 restored customers: one at a time 3,000 actions; in one batch of 1,000, "
        f"{1 + 1 + 20 + 1} (prepare, take the review, open 20 sampled, approve)."
    )


if __name__ == "__main__":
    main()
