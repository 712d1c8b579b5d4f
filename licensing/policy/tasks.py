"""The simulator's runs, in chunks with progress, and the daily task that puts approved changes in force."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from licensing.cases.models import Transaction
from licensing.outbox.services import enqueue
from licensing.parties.models import Customer
from licensing.periodic import periodic_task

from .models import RuleChange, Simulation
from .services import put_due_changes_in_force, record_simulation
from .simulator import DIFF_ROWS_KEPT, PENDING, Tally, affected_item_ids, decide_book, draft_rows, merged
from .task_names import PLAN_SIMULATION

# Customers per task (with their transactions): small enough that a retried chunk repeats little work.
CHUNK_SIZE = 1000


@shared_task(name=PLAN_SIMULATION, bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def plan_simulation(self, simulation_id: int):
    """Split the subjects the change can reach into chunks, by id range, and queue a task for each."""
    simulation = Simulation.objects.select_related("change").filter(pk=simulation_id).first()
    if simulation is None or simulation.chunks_total:
        return 0
    item_ids = affected_item_ids(simulation.change)
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    transactions = Transaction.objects.filter(decision__in=PENDING, item_id__in=item_ids).count()
    chunks = [
        (customers[start], customers[min(start + CHUNK_SIZE, len(customers)) - 1])
        for start in range(0, len(customers), CHUNK_SIZE)
    ]
    with transaction.atomic():
        locked = Simulation.objects.select_for_update(no_key=True).get(pk=simulation_id)
        locked.chunks_total = len(chunks)
        locked.subjects_total = len(customers) * len(item_ids) + transactions
        locked.save(update_fields=["chunks_total", "subjects_total"])
        if not chunks:
            _finish(locked)
        for first, last in chunks:
            enqueue(simulate_chunk, simulation_id, first, last)
    return len(chunks)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def simulate_chunk(self, simulation_id: int, first: int, last: int):
    """Decide one range of customers' subjects with and without the draft, and add what it found to the simulation."""
    try:
        return _simulate_chunk(simulation_id, first, last)
    except Exception as error:
        # The last attempt: the simulation says it failed rather than running for ever.
        if self.request.retries >= self.max_retries:
            Simulation.objects.filter(pk=simulation_id, status=Simulation.Status.RUNNING).update(
                status=Simulation.Status.FAILED, error=f"Customers {first} to {last}: {error}"[:2000]
            )
        raise


def _simulate_chunk(simulation_id: int, first: int, last: int) -> int:
    simulation = Simulation.objects.select_related("change", "change__requirement").get(pk=simulation_id)
    key = f"{first}-{last}"
    if simulation.status != Simulation.Status.RUNNING or key in simulation.results.get("chunks", []):
        return 0
    draft = draft_rows(simulation.change, simulation.decided_on)
    tally = Tally()
    ids = list(Customer.objects.filter(pk__gte=first, pk__lte=last).values_list("pk", flat=True))
    decided = decide_book(ids, draft=draft, on=simulation.decided_on, tally=tally)
    with transaction.atomic():
        # Chunks finish in any order, in parallel: each adds to the row under its lock.
        locked = Simulation.objects.select_for_update(no_key=True).get(pk=simulation_id)
        if key in locked.results.get("chunks", []):
            return 0
        locked.results = {**merged(locked.results, tally), "chunks": [*locked.results.get("chunks", []), key]}
        room = max(0, DIFF_ROWS_KEPT - len(locked.differences))
        locked.differences = [*locked.differences, *tally.differences[:room]]
        locked.chunks_done += 1
        locked.subjects_done = min(locked.subjects_total, locked.subjects_done + decided)
        locked.save(update_fields=["results", "differences", "chunks_done", "subjects_done"])
        if locked.chunks_done == locked.chunks_total:
            _finish(locked)
    return decided


def _finish(simulation: Simulation) -> None:
    simulation.status = Simulation.Status.FINISHED
    simulation.finished_at = timezone.now()
    simulation.subjects_done = simulation.subjects_total
    simulation.save(update_fields=["status", "finished_at", "subjects_done"])
    if simulation.change.status in (RuleChange.Status.DRAFT, RuleChange.Status.SIMULATED):
        record_simulation(simulation=simulation)


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def put_approved_changes_in_force(self):
    """Put in force the approved rule changes whose day has come (their reaction re-decides what they affect)."""
    return put_due_changes_in_force()
