"""Benchmark the batch four-eyes review: preparing and approving N determinations in one process.

Run with `.venv/bin/python bench/batches.py [--subjects N] [--held-every K] [--workers W]`. It
builds a throwaway book in its own database, exportdesk_bench_batches, on the PostgreSQL
server DATABASE_URL names (dropped and created again each run): N U.S. customers, triaged and
their proposals accepted, and a held transaction for every K-th customer (K=1: every customer
cut off, as the story's company did). With --held-in-bulk the held transactions are inserted
as held in one statement instead of each being recorded and decided (which opens a
determination task each): the same rows for the re-decision, in minutes less of setup. It then
times, one step after another:

- preparing the batch: one determination per subject, assessed, submitted for review;
- the reviewer's part: taking the batch and opening every sampled subject;
- approving it: each determination approved with its own event, a chunk per transaction
  (in W processes with --workers, as Celery workers share the batch's ranges);
- re-deciding every held transaction of the approved subjects: the chunk tasks the approval
  queued through the outbox (one per approval chunk of 200 subjects), run in W processes;
- the other tasks the approvals queued (review clocks), one after another.

It reports the officer and reviewer actions the batch needed beside what preparing,
submitting and approving each determination on its own page would need, and per 1,000
restored customers.
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


def _redecide_message(message_id: int) -> None:
    from licensing.outbox.services import send

    send(message_id)


def redecide_in_processes(message_ids: list[int], workers: int) -> None:
    """Run the queued re-decision tasks in processes, as Celery workers would take them from the broker."""
    import multiprocessing

    from django.db import connections

    if workers <= 1:
        for message_id in message_ids:
            _redecide_message(message_id)
        return
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_redecide_message, message_ids, chunksize=1)


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


def insert_held(customers, item) -> int:
    """One transaction per customer, inserted as the cut-off left it: held, waiting on a determination."""
    from django.utils import timezone

    from licensing.cases.models import Decision, Transaction
    from licensing.reference.models import Activity

    now = timezone.now()
    Transaction.objects.bulk_create(
        [
            Transaction(
                external_id=f"TX-{customer.pk}",
                customer=customer,
                item=item,
                activity=Activity.EXPORT,
                destination_country_id="US",
                value=1000,
                currency="USD",
                end_use="Research",
                requested_at=now,
                decision=Decision.HOLD,
                decision_reasons=["No approved foreign-person determination in force: hold."],
                decided_at=now,
            )
            for customer in customers
        ],
        batch_size=2000,
    )
    return len(customers)


def build_book(subjects: int, held_every: int, held_in_bulk: bool):
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
    if held_in_bulk and held_every:
        held = insert_held(customers[::held_every], item)
    for customer in customers[::held_every] if held_every and not held_in_bulk else []:
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
        "--workers",
        type=int,
        default=1,
        help="Approve the batch's ranges, and run its re-decision tasks, in this many processes, as workers would.",
    )
    parser.add_argument(
        "--held-in-bulk", action="store_true", help="Insert the held transactions as held instead of deciding each."
    )
    parser.add_argument(
        "--skip-other-tasks",
        dest="run_other_tasks",
        action="store_false",
        help="Count, but do not run, the review-clock tasks preparation and approval queue (workers run them).",
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
    from licensing.batches.sampling import sample_size
    from licensing.batches.services.approval import approve_batch_entries
    from licensing.batches.services.preparation import prepare_batch, start_batch
    from licensing.batches.services.review import approve_batch, open_entry, start_review
    from licensing.cases.models import Transaction

    officer, reviewer, held, triage_seconds = build_book(options.subjects, options.held_every, options.held_in_bulk)

    # The writes are timed apart from the work their reactions queue (review clocks, re-decisions), which
    # workers do beside them: queued tasks are held here, and run afterwards, each kind timed on its own.
    from licensing.outbox import services as outbox

    sending = outbox.send
    outbox.send = lambda message_id: False
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

    started, cpu = time.perf_counter(), time.process_time()
    approve_batch(actor=reviewer, batch=batch)
    if options.workers > 1:
        approve_in_processes(batch, options.workers)
    batch = approve_batch_entries(batch.pk)
    approve_seconds, approve_cpu = time.perf_counter() - started, time.process_time() - cpu
    outbox.send = sending

    # Re-deciding every held transaction: the chunk tasks the approval queued, as workers would run them.
    from licensing.batches.task_names import REDECIDE_BATCH
    from licensing.outbox.models import OutboxMessage

    redecisions = list(
        OutboxMessage.objects.unsent().filter(task=REDECIDE_BATCH).order_by("pk").values_list("pk", flat=True)
    )
    waiting_before = Transaction.objects.filter(decision__in=["hold", "licence_required"]).count()
    started, cpu, load_before_redecision = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    children_before = os.times()
    redecide_in_processes(redecisions, options.workers)
    redecide_seconds, redecide_cpu = time.perf_counter() - started, time.process_time() - cpu
    children_after = os.times()
    redecide_cpu += (children_after.children_user - children_before.children_user) + (
        children_after.children_system - children_before.children_system
    )
    batch.refresh_from_db()
    redecided = batch.counts()["redecided"]

    other_tasks = OutboxMessage.objects.unsent().count()
    started = time.perf_counter()
    if options.run_other_tasks:
        outbox.relay(limit=10_000_000)
    reactions_seconds = time.perf_counter() - started

    counts = batch.counts()
    approved = counts[BatchEntry.State.APPROVED]
    authorised = Transaction.objects.filter(decision="authorised").count()
    per = approve_seconds / max(approved, 1)
    target = 50_000
    # Accept the bucket's proposals, prepare the batch, take the review, open each sampled subject, approve.
    batch_actions = 1 + 1 + 1 + batch.sample_size + 1
    per_thousand_batch = 1 + 1 + 1 + sample_size(1000) + 1
    decided_per_second = waiting_before / redecide_seconds if redecide_seconds else 0.0
    print("## Batch review of determinations (bench/batches.py)\n")
    print(
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average at start "
        f"{load_at_start:.2f}, one process, PostgreSQL on the same machine.\n"
    )
    print("| Measure | Value |\n|---|---:|")
    print(f"| Subjects (U.S. customers, accepted as restorable) | {options.subjects:,} |")
    print(f"| Processes approving | {options.workers} |")
    print(f"| Triage of the book | {triage_seconds:.1f} s |")
    print(
        f"| Preparing the batch (assess, prepare, submit each; its review clocks queued, not run) | "
        f"{prepare_seconds:.1f} s ({prepare_cpu:.1f} s CPU) |"
    )
    print(f"| Reviewer: take the batch, open the {batch.sample_size} sampled subjects | {review_seconds:.2f} s |")
    print(
        f"| Approving {approved:,} determinations, each with its event | "
        f"{approve_seconds:.1f} s ({approve_cpu:.1f} s CPU) |"
    )
    print(f"| per determination | {per * 1000:.1f} ms |")
    print(f"| {target:,} at that rate | {per * target / 60:.1f} min (goal 3 min) |")
    print(
        f"| Re-deciding every held transaction of the approved subjects: {waiting_before:,} transactions, "
        f"{len(redecisions):,} chunk tasks, {options.workers} process(es) | "
        f"{redecide_seconds:.1f} s ({redecide_cpu:.1f} s CPU of this process and its workers; load "
        f"{load_before_redecision:.2f} before) |"
    )
    print(
        f"| per held transaction | {1000 * redecide_seconds / max(waiting_before, 1):.2f} ms wall, "
        f"{1000 * redecide_cpu / max(waiting_before, 1):.2f} ms CPU ({decided_per_second:.0f} per second) |"
    )
    print(f"| Approved subjects marked re-decided | {redecided:,} of {approved:,} |")
    print(f"| Held transactions authorised by the approvals | {authorised:,} of {held:,} |")
    print(
        f"| The other {other_tasks:,} tasks preparation and approval queued (review clocks), one after another "
        f"| {f'{reactions_seconds:.1f} s' if options.run_other_tasks else 'not run here (workers run them)'} |"
    )
    print(f"| Peak memory of the process | {peak_memory_mib():.0f} MiB |")
    print(
        f"| Officer and reviewer actions for these {approved:,} | {batch_actions} "
        f"(one at a time: {3 * approved:,}: prepare, submit, approve each) |"
    )
    print(
        f"\nPer 1,000 restored customers: one at a time 3,000 officer and reviewer actions (prepare, submit and "
        f"approve each determination on its page); in one batch of 1,000, {per_thousand_batch} (accept the "
        f"bucket's proposals, prepare the batch, take the review, open the {sample_size(1000)} sampled subjects, "
        f"approve); in this batch of {approved:,}, {1000 * batch_actions / max(approved, 1):.1f} per 1,000."
    )


if __name__ == "__main__":
    main()
