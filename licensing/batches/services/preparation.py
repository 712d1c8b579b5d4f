"""Preparing a batch: one determination per accepted proposal, assessed from the facts, then a sample drawn.

The determination's outcome and attribution are computed by the determinations
service from the recorded facts, never taken from the proposal. Where they
disagree with the bucket the proposal was accepted in, the subject is left out
of the batch, with the reason, for an officer to look at on its own.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.determinations.services import (
    prepare_and_submit_determinations,
    prepare_determination,
    submit_determination,
    with_facts,
)
from licensing.outbox.services import enqueue, enqueued_together
from licensing.parties.models import Customer, Person
from licensing.parties.status import Outcome, assess
from licensing.restoration.models import Bucket, Proposal

from .. import task_names
from ..models import BatchEntry, DeterminationBatch
from ..sampling import draw, new_seed

# The buckets a batch may take, and the outcome a determination must reach for its subject to stay in.
EXPECTED_OUTCOME = {Bucket.RESTORABLE: Outcome.US_PERSON, Bucket.LICENCE_REQUIRED: Outcome.FOREIGN_PERSON}
CHUNK = 200


def start_batch(
    *, actor, buckets: list[str], effective_on: datetime.date, limit: int | None = None
) -> DeterminationBatch:
    """Take the buckets' accepted current proposals into a new batch, prepared in the background."""
    if not user_can(actor, Action.PREPARE_DETERMINATION):
        raise PermissionDenied(f"{actor} may not prepare determinations")
    unknown = [b for b in buckets if b not in EXPECTED_OUTCOME]
    if not buckets or unknown:
        raise ValidationError(
            {
                "buckets": "Choose the restorable or licence-required bucket"
                + (f"; not {', '.join(unknown)}" if unknown else ".")
            }
        )
    with transaction.atomic():
        busy = BatchEntry.objects.filter(batch__in=DeterminationBatch.objects.open()).exclude(
            state=BatchEntry.State.LEFT_OUT
        )
        proposals = (
            Proposal.objects.current()
            .accepted()
            .filter(bucket__in=buckets)
            # A subject already in an open batch waits for that batch.
            .exclude(Q(customer_id__in=busy.filter(person__isnull=True).values("customer_id")) & Q(person__isnull=True))
            .exclude(person_id__in=busy.filter(person__isnull=False).values("person_id"))
            .order_by("pk")
        )
        if limit:
            proposals = proposals[:limit]
        rows = list(proposals.values_list("pk", "customer_id", "person_id", "bucket"))
        if not rows:
            raise ValidationError({"buckets": "No accepted proposal in these buckets is waiting for a determination."})
        batch = DeterminationBatch.objects.create(buckets=list(buckets), effective_on=effective_on, prepared_by=actor)
        BatchEntry.objects.bulk_create(
            [
                BatchEntry(
                    batch=batch,
                    proposal_id=pk,
                    customer_id=None if person_id else customer_id,
                    person_id=person_id,
                    bucket=bucket,
                )
                for pk, customer_id, person_id, bucket in rows
            ],
            batch_size=1000,
        )
        record_event(
            actor=actor,
            verb="determination_batch.created",
            target=batch,
            after={"buckets": list(buckets), "subjects": len(rows), "effective_on": effective_on},
        )
        enqueue(task_names.PREPARE_BATCH, batch.pk)
    return batch


def _disagreement(entry: BatchEntry, batch: DeterminationBatch, subject=None) -> str:
    """Why the facts do not support the bucket the proposal was accepted in; empty when they do."""
    try:
        assessment = assess(subject or entry.subject, batch.effective_on)
    except ValidationError as error:
        return " ".join(error.messages)
    expected = EXPECTED_OUTCOME[Bucket(entry.bucket)]
    if assessment.outcome != expected:
        return (
            f"Proposed {Bucket(entry.bucket).label.lower()}, but the recorded facts make it a "
            f"{Outcome(assessment.outcome).label}: {'; '.join(assessment.facts) or 'no facts'}."
        )
    proposed_country = entry.proposal.attribution_country_id
    if expected == Outcome.FOREIGN_PERSON and proposed_country and assessment.attribution_country != proposed_country:
        return (
            f"Proposed attribution to {proposed_country}, but the recorded facts attribute a release to "
            f"{assessment.attribution_country}."
        )
    return ""


def _prepare_entry(entry: BatchEntry, batch: DeterminationBatch) -> None:
    with transaction.atomic():
        locked = (
            BatchEntry.objects.select_for_update(no_key=True, of=("self",)).select_related("proposal").get(pk=entry.pk)
        )
        if locked.state != BatchEntry.State.PENDING:
            return
        reason = _disagreement(locked, batch)
        if not reason:
            try:
                # A savepoint: a determination the service refuses leaves nothing half-written.
                with transaction.atomic():
                    draft = prepare_determination(
                        actor=batch.prepared_by,
                        subject=locked.subject,
                        effective_on=batch.effective_on,
                        notes=f"Prepared in batch #{batch.pk} from triage proposal #{locked.proposal_id}.",
                    )
                    locked.determination = submit_determination(actor=batch.prepared_by, determination=draft)
                    locked.state = BatchEntry.State.PREPARED
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
        if reason:
            locked.state = BatchEntry.State.LEFT_OUT
            locked.left_out_reason = reason
        locked.save(update_fields=["state", "determination", "left_out_reason"])


def _prepare_chunk(entry_ids: list[int], batch: DeterminationBatch) -> None:
    """Prepare a chunk's entries together: what `_prepare_entry` writes for each, in a few statements."""
    with transaction.atomic():
        entries = list(
            BatchEntry.objects.select_for_update(no_key=True, of=("self",))
            .select_related("proposal")
            .filter(pk__in=entry_ids, state=BatchEntry.State.PENDING)
            .order_by("pk")
        )
        # By id only: with_facts loads each subject with its facts.
        subjects = with_facts(Person(pk=e.person_id) if e.person_id else Customer(pk=e.customer_id) for e in entries)
        reasons = {e.pk: _disagreement(e, batch, subject) for e, subject in zip(entries, subjects, strict=True)}
        agreed = [(e, subject) for e, subject in zip(entries, subjects, strict=True) if not reasons[e.pk]]
        # The reactions' follow-ups (review clocks) are still one message each, written in one insert.
        with enqueued_together():
            results = prepare_and_submit_determinations(
                actor=batch.prepared_by,
                drafts=[
                    (subject, f"Prepared in batch #{batch.pk} from triage proposal #{e.proposal_id}.")
                    for e, subject in agreed
                ],
                effective_on=batch.effective_on,
            )
        for (entry, _), result in zip(agreed, results, strict=True):
            if isinstance(result, str):
                reasons[entry.pk] = result
            else:
                entry.determination = result
                entry.state = BatchEntry.State.PREPARED
        for entry in entries:
            if reasons[entry.pk]:
                entry.state = BatchEntry.State.LEFT_OUT
                entry.left_out_reason = reasons[entry.pk]
        prepared = [e for e in entries if not reasons[e.pk]]
        BatchEntry.objects.bulk_update(prepared, ["determination"], batch_size=1000)
        BatchEntry.objects.filter(pk__in=[e.pk for e in prepared]).update(state=BatchEntry.State.PREPARED)
        BatchEntry.objects.bulk_update([e for e in entries if reasons[e.pk]], ["state", "left_out_reason"])


def prepare_batch(batch_id: int) -> DeterminationBatch:
    """Prepare every waiting entry of a batch, then draw its sample; resumable, and a finished batch is left alone."""
    batch = DeterminationBatch.objects.select_related("prepared_by").get(pk=batch_id)
    if batch.status != DeterminationBatch.Status.PREPARING:
        return batch
    while True:
        chunk = list(batch.entries.filter(state=BatchEntry.State.PENDING).order_by("pk")[:CHUNK])
        if not chunk:
            break
        try:
            _prepare_chunk([entry.pk for entry in chunk], batch)
        except (IntegrityError, PermissionDenied):
            # The chunk wrote nothing; one at a time, each entry gets its own outcome and reason.
            for entry in chunk:
                _prepare_entry(entry, batch)
    return _draw_sample(batch_id)


def _draw_sample(batch_id: int) -> DeterminationBatch:
    with transaction.atomic():
        batch = DeterminationBatch.objects.select_for_update(no_key=True).get(pk=batch_id)
        if batch.status != DeterminationBatch.Status.PREPARING:
            return batch
        prepared = batch.entries.filter(state=BatchEntry.State.PREPARED)
        seed = new_seed()
        sampled = draw(list(prepared.values_list("pk", flat=True)), seed=seed)
        BatchEntry.objects.filter(pk__in=sampled).update(sampled=True)
        batch.sample_seed = seed
        batch.sample_size = len(sampled)
        batch.sample = [e.subject_key for e in BatchEntry.objects.filter(pk__in=sampled).order_by("pk")]
        batch.prepared_at = timezone.now()
        # Nothing left to review when every subject was left out: the batch ends there.
        batch.status = DeterminationBatch.Status.PREPARED if sampled else DeterminationBatch.Status.STOPPED
        if not sampled:
            batch.stop_reason = "Every subject was left out; there is nothing to review."
        batch.save(update_fields=["sample_seed", "sample_size", "sample", "prepared_at", "status", "stop_reason"])
        counts = batch.counts()
        record_event(
            actor=None,
            verb="determination_batch.prepared",
            target=batch,
            after={
                "status": batch.status,
                "determinations": counts[BatchEntry.State.PREPARED],
                "left_out": counts[BatchEntry.State.LEFT_OUT],
                "sample_size": batch.sample_size,
                "sample_seed": seed,
                "sample_entries": sampled,
            },
        )
    return batch
