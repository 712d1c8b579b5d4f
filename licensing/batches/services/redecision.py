"""After a batch's approvals: the approved subjects' waiting transactions decided again, a chunk per task.

Approving one determination alone queues a task for its subject; a batch of
50,000 would queue 50,000, each paying a task's and a commit's overhead for
a query that usually finds one transaction. A batch's approval events say
which batch approved them, so that reaction leaves them to the batch: each
approval chunk queues one task, through the outbox in the chunk's own
transaction, for the entries it approved. The task decides every held or
licence-awaiting transaction of those subjects together, each as it would be
decided alone (their facts read in one query, the same rules applied to each,
their decisions and events written a statement for all), in one transaction,
and marks the entries `redecided_at`, so running it twice, or beside another worker,
does nothing more; the batch page counts the entries marked. Billing hears of
each new decision through the existing `transaction.decided` webhook.
"""

from django.db import transaction
from django.utils import timezone

from licensing.cases.services.transactions import redecide_held_for_recipients
from licensing.outbox.services import enqueue

from ..models import BatchEntry
from ..task_names import REDECIDE_BATCH


def queue_redecision(batch_id: int, entry_ids: list[int]) -> None:
    """In the caller's transaction, queue the re-decision of these approved entries (a range of ids) as one task."""
    if entry_ids:
        enqueue(REDECIDE_BATCH, batch_id, min(entry_ids), max(entry_ids))


def redecide_approved_entries(batch_id: int, *, first: int, last: int) -> int:
    """Decide again the waiting transactions of the batch's approved entries from `first` to `last`; return how many.

    Entries already marked, or held by another worker running the same range, are left alone.
    """
    with transaction.atomic():
        # skip_locked: a duplicate of this task running elsewhere has these entries; they are its. Only the
        # entries are locked (of=self, and no ordering through the batch), never the batch row every task shares.
        entries = list(
            BatchEntry.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .order_by("pk")
            .filter(
                batch_id=batch_id,
                pk__gte=first,
                pk__lte=last,
                state=BatchEntry.State.APPROVED,
                redecided_at__isnull=True,
            )
            .values_list("pk", "customer_id", "person_id")
        )
        if not entries:
            return 0
        decided = redecide_held_for_recipients(
            customers=[customer for _, customer, person in entries if person is None],
            persons=[person for _, _, person in entries if person is not None],
        )
        BatchEntry.objects.filter(pk__in=[pk for pk, _, _ in entries]).update(redecided_at=timezone.now())
    return decided
