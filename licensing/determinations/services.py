import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import EventRecord, record_event, record_events
from licensing.parties.models import Customer, Person
from licensing.parties.status import assess
from licensing.workflow.machine import TransitionError

from .attestation import APPROVAL_ATTESTATION_VERSION
from .models import DeterminationTask, ForeignPersonDetermination
from .workflow import DETERMINATION_MACHINE

# Checked by the database's foreign keys in the same statement; validating them here would cost a query each.
_REFERENCES = ["customer", "person", "attribution_country", "prepared_by", "approved_by"]


def _lock_subject(subject: Customer | Person) -> Customer | Person:
    # Locking the subject serialises every approval for it, so two reviewers
    # approving two drafts at once cannot both leave an approved row behind.
    model = Person if isinstance(subject, Person) else Customer
    return model.objects.select_for_update(no_key=True).get(pk=subject.pk)


def _subject_kwargs(subject: Customer | Person) -> dict[str, Customer | Person]:
    return {"person": subject} if isinstance(subject, Person) else {"customer": subject}


def _assessed_fields(determination: ForeignPersonDetermination) -> dict[str, object]:
    result = assess(determination.subject, determination.effective_on)
    return {
        "outcome": result.outcome,
        "basis": result.basis,
        "attribution_country_id": result.attribution_country,
        "itar_countries": list(result.itar_countries),
        "facts": list(result.facts),
    }


def _prepared(determination: ForeignPersonDetermination) -> dict[str, Any]:
    """What a "determination.prepared" event records, one at a time or in bulk alike."""
    return {
        "outcome": determination.outcome,
        "basis": determination.basis,
        "attribution_country": determination.attribution_country_id,
        "effective_on": determination.effective_on,
        "review_by": determination.review_by,
    }


def prepare_determination(
    *,
    actor: User | None,
    subject: Customer | Person,
    effective_on: datetime.date,
    review_by: datetime.date | None = None,
    notes: str = "",
) -> ForeignPersonDetermination:
    """Draft a determination for a subject, assessed from the facts recorded about it."""
    if not user_can(actor, Action.PREPARE_DETERMINATION):
        raise PermissionDenied(f"{actor} may not prepare determinations")
    if review_by is None:
        review_by = effective_on + datetime.timedelta(days=settings.DETERMINATION_REVIEW_DAYS)
    with transaction.atomic():
        determination = ForeignPersonDetermination(
            **_subject_kwargs(subject),
            effective_on=effective_on,
            review_by=review_by,
            notes=notes,
            prepared_by=actor,
        )
        for name, value in _assessed_fields(determination).items():
            setattr(determination, name, value)
        determination.full_clean()
        determination.save()
        record_event(
            actor=actor,
            verb="determination.prepared",
            target=determination,
            after=_prepared(determination),
        )
    return determination


def with_facts(subjects: Iterable[Customer | Person]) -> list[Customer | Person]:
    """The subjects again, each with the records its assessment reads loaded in a few queries, not a few each."""
    subjects = list(subjects)
    people = Person.objects.prefetch_related("status_records").in_bulk(
        [s.pk for s in subjects if isinstance(s, Person)]
    )
    customers = Customer.objects.in_bulk([s.pk for s in subjects if not isinstance(s, Person)])
    return [people[s.pk] if isinstance(s, Person) else customers[s.pk] for s in subjects]


def prepare_and_submit_determinations(
    *,
    actor: User | None,
    drafts: Sequence[tuple[Customer | Person, str]],
    effective_on: datetime.date,
) -> list[ForeignPersonDetermination | str]:
    """Prepare and submit a determination for each (subject, notes), as `prepare_determination` then
    `submit_determination` would one after another, written together.

    Returns, in order, each determination in review or why none could be
    prepared (the words those services would raise). Every determination gets
    its own prepared and submitted events, in the order the two services
    would have written them; pass subjects from `with_facts` to spare the
    assessments their queries.
    """
    if not user_can(actor, Action.PREPARE_DETERMINATION):
        raise PermissionDenied(f"{actor} may not prepare determinations")
    review_by = effective_on + datetime.timedelta(days=settings.DETERMINATION_REVIEW_DAYS)
    results: list[ForeignPersonDetermination | str] = []
    written: list[ForeignPersonDetermination] = []
    for subject, notes in drafts:
        determination = ForeignPersonDetermination(
            **_subject_kwargs(subject), effective_on=effective_on, review_by=review_by, notes=notes, prepared_by=actor
        )
        try:
            for name, value in _assessed_fields(determination).items():
                setattr(determination, name, value)
            determination.full_clean(exclude=_REFERENCES, validate_constraints=False)
            DETERMINATION_MACHINE.check(determination, "submit", actor=actor)
        except ValidationError as error:
            results.append(" ".join(error.messages))
            continue
        except TransitionError as error:
            results.append(str(error))
            continue
        determination.status = ForeignPersonDetermination.Status.IN_REVIEW
        results.append(determination)
        written.append(determination)
    with transaction.atomic():
        ForeignPersonDetermination.objects.bulk_create(written, batch_size=1000)
        events: list[EventRecord] = []
        for determination in written:
            events.append(
                EventRecord(
                    actor=actor,
                    verb="determination.prepared",
                    target=determination,
                    after=_prepared(determination),
                )
            )
            events.append(
                EventRecord(
                    actor=actor,
                    verb="determination.submit",
                    target=determination,
                    before={"status": ForeignPersonDetermination.Status.DRAFT},
                    after={"status": ForeignPersonDetermination.Status.IN_REVIEW},
                )
            )
        record_events(events)
    return results


def submit_determination(
    *, actor: User | None, determination: ForeignPersonDetermination
) -> ForeignPersonDetermination:
    """Send a draft to a reviewer, re-assessed from the facts as they stand now."""

    def refresh(locked: ForeignPersonDetermination) -> list[str]:
        # Facts may have changed since the draft; the reviewer sees what is true now.
        fields = _assessed_fields(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        # The machine lets only a user who may prepare determinations submit one.
        assert actor is not None
        locked.prepared_by = actor
        return [*(n.removesuffix("_id") for n in fields), "prepared_by"]

    return DETERMINATION_MACHINE.apply(determination, "submit", actor=actor, changes=refresh)


def approve_determination(
    *,
    actor: User | None,
    determination: ForeignPersonDetermination,
    reason: str = "",
    batch_id: int | None = None,
    attestation_version: str | None = None,
) -> ForeignPersonDetermination:
    """Approve a determination in review; it supersedes the subject's previous one.

    `batch_id` names the batch approving it: its event says so, and the batch,
    not a follow-up per approval, decides the subject's waiting transactions again.
    `attestation_version` is the version of the words the reviewer was shown
    beside the button (`attestation.APPROVAL_ATTESTATION_VERSION`); the event
    records it, and words changed since the page was shown are refused, so
    nothing is approved under words its reviewer did not read.
    """
    if attestation_version is not None and attestation_version != APPROVAL_ATTESTATION_VERSION:
        raise ValidationError(
            {
                "attestation": f"The attestation shown ({attestation_version or 'none'}) is not the one in force "
                f"({APPROVAL_ATTESTATION_VERSION}); read it again on the page and approve."
            }
        )
    recorded: dict[str, object] = {}
    if batch_id is not None:
        recorded["batch"] = batch_id
    if attestation_version is not None:
        recorded["attestation"] = attestation_version
    with transaction.atomic():
        _lock_subject(determination.subject)
        previous = (
            ForeignPersonDetermination.objects.for_subject(determination.subject)
            .approved()
            .exclude(pk=determination.pk)
            .first()
        )
        if previous is not None:
            DETERMINATION_MACHINE.apply(
                previous,
                "supersede",
                actor=None,
                reason=f"Superseded by determination #{determination.pk} approved by {actor}.",
            )

        def stamp(locked: ForeignPersonDetermination) -> list[str]:
            locked.approved_by = actor
            locked.approved_at = timezone.now()
            return ["approved_by", "approved_at"]

        approved = DETERMINATION_MACHINE.apply(
            determination,
            "approve",
            actor=actor,
            reason=reason,
            changes=stamp,
            extra_event_data=recorded or None,
        )
        _close_tasks(approved)
    return approved


def _subject_key(record: ForeignPersonDetermination | DeterminationTask) -> tuple[str, int | None]:
    return ("person", record.person_id) if record.person_id else ("customer", record.customer_id)


def approve_determinations(
    *,
    actor: User | None,
    determinations: Iterable[ForeignPersonDetermination],
    reason: str = "",
    batch_id: int | None = None,
) -> tuple[list[ForeignPersonDetermination], dict[int, str]]:
    """Approve many determinations in review at once, writing what `approve_determination` writes for each.

    Returns the approved rows and, by id, why each refused one was not
    approved (the words `approve_determination` would raise); refused ones are
    left as they were. The subjects are locked first, in one statement per kind, the previous
    approvals superseded in one, the approvals and closed tasks written in one
    each, and every determination, supersession and task still gets its own
    event, in the order one approval after another would have written them.
    """
    ids = list(dict.fromkeys(d.pk for d in determinations))
    approved: list[ForeignPersonDetermination] = []
    refused: dict[int, str] = {}
    with transaction.atomic():
        # Subjects first, then their determinations, in the order `approve_determination` locks them,
        # so a reviewer approving one of them alone meanwhile waits rather than deadlocks.
        subjects = ForeignPersonDetermination.objects.filter(pk__in=ids).values_list("customer_id", "person_id")
        customer_ids = sorted({c for c, p in subjects if c and not p})
        person_ids = sorted({p for _, p in subjects if p})
        list(
            Customer.objects.select_for_update(no_key=True).filter(pk__in=customer_ids).order_by("pk").values_list("pk")
        )
        list(Person.objects.select_for_update(no_key=True).filter(pk__in=person_ids).order_by("pk").values_list("pk"))
        rows = list(
            ForeignPersonDetermination.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer", "person", "prepared_by")
            .filter(pk__in=ids)
        )
        by_id = {row.pk: row for row in rows}
        first_of_subject: list[ForeignPersonDetermination] = []
        later: list[ForeignPersonDetermination] = []
        seen: set[tuple[str, int | None]] = set()
        for pk in ids:
            row = by_id.get(pk)
            if row is None:
                refused[pk] = f"Determination #{pk} does not exist."
                continue
            # A subject named twice is approved in turn, as one approval after another would.
            (later if _subject_key(row) in seen else first_of_subject).append(row)
            seen.add(_subject_key(row))
        if first_of_subject:
            done, not_done = _approve_distinct_subjects(actor, first_of_subject, reason, batch_id)
            approved += done
            refused |= not_done
        if later:
            done, not_done = approve_determinations(actor=actor, determinations=later, reason=reason, batch_id=batch_id)
            approved += done
            refused |= not_done
    return approved, refused


def _approve_distinct_subjects(
    actor: User | None, determinations: list[ForeignPersonDetermination], reason: str, batch_id: int | None
) -> tuple[list[ForeignPersonDetermination], dict[int, str]]:
    # The subjects are locked (approve_determinations), in id order: no two batches deadlock on them.
    now = timezone.now()
    refused: dict[int, str] = {}
    accepted: list[ForeignPersonDetermination] = []
    for determination in determinations:
        try:
            DETERMINATION_MACHINE.check(determination, "approve", actor=actor, reason=reason)
            determination.status = ForeignPersonDetermination.Status.APPROVED
            determination.approved_by = actor
            determination.approved_at = now
            determination.updated_at = now
            # The constraints (one approved per subject, four eyes) are the database's to hold, below.
            determination.full_clean(exclude=_REFERENCES, validate_constraints=False)
        except (TransitionError, ValidationError) as error:
            refused[determination.pk] = str(error)
            determination.refresh_from_db()
            continue
        accepted.append(determination)
    if not accepted:
        return [], refused
    accepted_ids = {d.pk for d in accepted}
    subjects = Q(customer_id__in=[d.customer_id for d in accepted if d.customer_id]) | Q(
        person_id__in=[d.person_id for d in accepted if d.person_id]
    )
    previous_of = {
        _subject_key(p): p
        for p in ForeignPersonDetermination.objects.select_for_update(no_key=True, of=("self",))
        .select_related("customer", "person")
        .filter(subjects, status=ForeignPersonDetermination.Status.APPROVED)
        .exclude(pk__in=accepted_ids)
    }
    tasks_of: dict[tuple[str, int | None], list[DeterminationTask]] = {}
    open_tasks = DeterminationTask.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "customer", "person"
    )
    for task in open_tasks.filter(subjects, status=DeterminationTask.Status.OPEN):
        tasks_of.setdefault(_subject_key(task), []).append(task)
    if previous_of:
        ForeignPersonDetermination.objects.filter(pk__in=[p.pk for p in previous_of.values()]).update(
            status=ForeignPersonDetermination.Status.SUPERSEDED, updated_at=now
        )
    # The same values for every row: one plain UPDATE, not a CASE per row.
    ForeignPersonDetermination.objects.filter(pk__in=accepted_ids).update(
        status=ForeignPersonDetermination.Status.APPROVED, approved_by=actor, approved_at=now, updated_at=now
    )
    closed: list[DeterminationTask] = []
    events: list[EventRecord] = []
    approving = reason.strip()
    for determination in accepted:
        previous = previous_of.get(_subject_key(determination))
        if previous is not None:
            previous.status = ForeignPersonDetermination.Status.SUPERSEDED
            previous.updated_at = now
            events.append(
                EventRecord(
                    actor=None,
                    verb="determination.supersede",
                    target=previous,
                    before={"status": ForeignPersonDetermination.Status.APPROVED},
                    after={"status": ForeignPersonDetermination.Status.SUPERSEDED},
                    reason=f"Superseded by determination #{determination.pk} approved by {actor}.",
                )
            )
        events.append(
            EventRecord(
                actor=actor,
                verb="determination.approve",
                target=determination,
                before={"status": ForeignPersonDetermination.Status.IN_REVIEW},
                after={"status": ForeignPersonDetermination.Status.APPROVED}
                | ({"batch": batch_id} if batch_id is not None else {}),
                reason=approving,
            )
        )
        for task in tasks_of.get(_subject_key(determination), []):
            task.status = DeterminationTask.Status.DONE
            task.closed_at = now
            task.closed_by_determination = determination
            closed.append(task)
            events.append(
                EventRecord(
                    actor=actor,
                    verb="determination_task.closed",
                    target=task,
                    after={"determination": determination.pk},
                )
            )
    if closed:
        DeterminationTask.objects.bulk_update(closed, ["status", "closed_at", "closed_by_determination"])
    record_events(events)
    return accepted, refused


def reject_determination(
    *, actor: User | None, determination: ForeignPersonDetermination, reason: str
) -> ForeignPersonDetermination:
    """Reject a determination in review, with the reason."""
    return DETERMINATION_MACHINE.apply(determination, "reject", actor=actor, reason=reason)


def return_determination(
    *, actor: User | None, determination: ForeignPersonDetermination, reason: str
) -> ForeignPersonDetermination:
    """Send a determination back to its preparer for changes."""
    return DETERMINATION_MACHINE.apply(determination, "return_to_preparer", actor=actor, reason=reason)


def open_determination_task(
    *,
    subject: Customer | Person,
    reason: str,
    # The cases app's Transaction, typed as a model only: that app sits above this one.
    transaction_record: models.Model | None = None,
) -> DeterminationTask:
    """Open a task for a subject that needs a determination, unless one is already open."""
    lookup: dict[str, object] = {**_subject_kwargs(subject), "status": DeterminationTask.Status.OPEN}
    if isinstance(subject, Customer):
        lookup["person"] = None
    with transaction.atomic():
        # Set by id: the field's type is that Transaction, which this app may not import.
        opened_by = transaction_record.pk if transaction_record is not None else None
        task, created = DeterminationTask.objects.get_or_create(
            **lookup, defaults={"reason": reason[:300], "opened_by_transaction_id": opened_by}
        )
        if created:
            record_event(actor=None, verb="determination_task.opened", target=task, reason=reason)
    return task


def _close_tasks(determination: ForeignPersonDetermination) -> None:
    subject = determination.subject
    lookup = {**_subject_kwargs(subject), "status": DeterminationTask.Status.OPEN}
    for task in DeterminationTask.objects.select_for_update(no_key=True).filter(**lookup):
        task.status = DeterminationTask.Status.DONE
        task.closed_at = timezone.now()
        task.closed_by_determination = determination
        task.save(update_fields=["status", "closed_at", "closed_by_determination"])
        record_event(
            actor=determination.approved_by,
            verb="determination_task.closed",
            target=task,
            after={"determination": determination.pk},
        )


def update_determination(
    *,
    actor: User | None,
    determination: ForeignPersonDetermination,
    effective_on: datetime.date,
    review_by: datetime.date | None = None,
    notes: str = "",
) -> ForeignPersonDetermination:
    """Change the dates or notes of a draft, assessed again from the facts as they stand."""
    if not user_can(actor, Action.PREPARE_DETERMINATION):
        raise PermissionDenied(f"{actor} may not prepare determinations")
    if review_by is None:
        review_by = effective_on + datetime.timedelta(days=settings.DETERMINATION_REVIEW_DAYS)
    with transaction.atomic():
        locked = ForeignPersonDetermination.objects.select_for_update(no_key=True).get(pk=determination.pk)
        if locked.status != ForeignPersonDetermination.Status.DRAFT:
            raise ValidationError(f"{locked} is {locked.get_status_display().lower()}; only a draft can be edited.")
        before = {"effective_on": locked.effective_on, "review_by": locked.review_by, "notes": locked.notes}
        locked.effective_on, locked.review_by, locked.notes = effective_on, review_by, notes
        for name, value in _assessed_fields(locked).items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        record_event(
            actor=actor,
            verb="determination.updated",
            target=locked,
            before=before,
            after={
                "effective_on": effective_on,
                "review_by": review_by,
                "notes": notes,
                "outcome": locked.outcome,
                "attribution_country": locked.attribution_country_id,
            },
        )
    return locked


def assign_determination_tasks(*, actor: User | None, tasks: Iterable[DeterminationTask], officer: User | None) -> int:
    """Give open determination tasks to an officer (or to nobody); return how many changed."""
    if not user_can(actor, Action.ASSIGN_CASES):
        raise PermissionDenied(f"{actor} may not assign cases")
    if officer is not None and not user_can(officer, Action.PREPARE_DETERMINATION):
        raise ValidationError({"officer": f"{officer} cannot prepare determinations, so cannot be assigned them."})
    ids = [task.pk for task in tasks]
    if not ids:
        raise ValidationError({"tasks": "Choose at least one task."})
    changed = 0
    with transaction.atomic():
        locked = list(DeterminationTask.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"))
        closed = [str(task) for task in locked if task.status != DeterminationTask.Status.OPEN]
        if closed:
            raise ValidationError({"tasks": f"Only open tasks can be assigned; done: {', '.join(closed)}."})
        for task in locked:
            if task.assigned_to_id == getattr(officer, "pk", None):
                continue
            before = task.assigned_to
            task.assigned_to = officer
            task.save(update_fields=["assigned_to"])
            record_event(
                actor=actor,
                verb="determination_task.assigned",
                target=task,
                before={"assigned_to": before.get_username() if before else None},
                after={"assigned_to": officer.get_username() if officer else None},
            )
            changed += 1
    return changed
