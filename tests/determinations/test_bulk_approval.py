"""Approving many determinations at once writes what approving them one after another writes."""

import re

import pytest

from licensing.audit.models import Event
from licensing.cases.models import Decision
from licensing.cases.services.transactions import decide_transaction
from licensing.determinations import services as determinations
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination
from licensing.outbox.models import OutboxMessage
from licensing.workflow.machine import TransitionError

from ..factories import CustomerFactory, letter
from ..factories import transaction as transaction_for

pytestmark = pytest.mark.django_db
D = ForeignPersonDetermination.Status
COMPARED = ("status", "outcome", "basis", "attribution_country_id", "itar_countries", "facts", "effective_on")
COMPARED += ("review_by", "notes", "prepared_by_id", "approved_by_id")


def in_review(officer, subject, today, notes="n"):
    draft = determinations.prepare_determination(actor=officer, subject=subject, effective_on=today, notes=notes)
    return determinations.submit_determination(actor=officer, determination=draft)


def subject_world(officer, reviewer, item, today, *, previously_approved: bool):
    """A U.S. customer with a held transaction, an open task, perhaps an approved determination, and one in review."""
    customer = CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")
    held = decide_transaction(actor=None, transaction_record=transaction_for(customer, item, country="US"))
    assert held.decision == Decision.HOLD
    previous = None
    if previously_approved:
        previous = determinations.approve_determination(
            actor=reviewer, determination=in_review(officer, customer, today, notes="old")
        )
        determinations.open_determination_task(subject=customer, reason="Checked again")
    assert DeterminationTask.objects.filter(customer=customer, status="open").count() == 1
    return customer, held, previous, in_review(officer, customer, today)


def written(mark: int, names: dict[int, str]) -> list[tuple]:
    """The events after `mark`, with ids of determinations and tasks named by their part in the story."""

    def named(text: str) -> str:
        return re.sub(r"#(\d+)", lambda m: "#" + names.get(int(m.group(1)), m.group(1)), text)

    rows = []
    # The approvals' own events; the re-decisions their reactions ran are compared by their outcome.
    for event in Event.objects.filter(sequence__gt=mark, verb__startswith="determination").order_by("sequence"):
        after = {k: names.get(v, v) if k == "determination" else v for k, v in event.after.items()}
        rows.append(
            (event.verb, event.actor_label, event.target_type.model, names.get(int(event.target_id)), event.before)
            + (after, named(event.reason))
        )
    return rows


def approved_worlds(worlds, *, bulk, reviewer, capture):
    mark = Event.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    messages = OutboxMessage.objects.count()
    with capture(execute=True):
        if bulk:
            approved, refused = determinations.approve_determinations(
                actor=reviewer, determinations=[w[3] for w in worlds], reason=" Approved together. "
            )
            assert refused == {} and len(approved) == len(worlds)
        else:
            for world in worlds:
                determinations.approve_determination(
                    actor=reviewer, determination=world[3], reason=" Approved together. "
                )
    names: dict[int, str] = {}
    for n, (customer, _, previous, new) in enumerate(worlds):
        names[new.pk] = f"new{n}"
        if previous is not None:
            names[previous.pk] = f"previous{n}"
        for task in DeterminationTask.objects.filter(customer=customer):
            names[task.pk] = f"task{n}"
    tasks = sorted(OutboxMessage.objects.order_by("pk").values_list("task", flat=True)[messages:])
    return written(mark, names), tasks


def state(worlds):
    rows = []
    for customer, held, previous, new in worlds:
        new.refresh_from_db()
        held.refresh_from_db()
        rows.append(
            (
                tuple(getattr(new, f) for f in COMPARED),
                new.approved_at is not None,
                previous and ForeignPersonDetermination.objects.get(pk=previous.pk).status,
                sorted(DeterminationTask.objects.filter(customer=customer).values_list("status", flat=True)),
                DeterminationTask.objects.filter(customer=customer, closed_by_determination=new).count(),
                held.decision,
            )
        )
    return rows


def test_the_bulk_path_writes_what_one_approval_after_another_writes(
    reference_data, officer, reviewer, item, today, django_capture_on_commit_callbacks
):
    letter(item)
    one_by_one = [subject_world(officer, reviewer, item, today, previously_approved=p) for p in (True, False)]
    together = [subject_world(officer, reviewer, item, today, previously_approved=p) for p in (True, False)]

    events_one, tasks_one = approved_worlds(
        one_by_one, bulk=False, reviewer=reviewer, capture=django_capture_on_commit_callbacks
    )
    events_bulk, tasks_bulk = approved_worlds(
        together, bulk=True, reviewer=reviewer, capture=django_capture_on_commit_callbacks
    )

    assert events_bulk == events_one
    assert [e[0] for e in events_bulk] == [
        "determination.supersede",
        "determination.approve",
        "determination_task.closed",
        "determination.approve",
        "determination_task.closed",
    ]
    assert tasks_bulk == tasks_one
    assert state(together) == state(one_by_one)
    assert [row[-1] for row in state(together)] == [Decision.AUTHORISED, Decision.AUTHORISED]


def test_events_written_together_are_sealed_into_the_chain_after_commit(
    reference_data, officer, reviewer, item, today, django_capture_on_commit_callbacks
):
    from licensing.audit.sealing import seal_events

    worlds = [subject_world(officer, reviewer, item, today, previously_approved=False) for _ in range(3)]
    seal_events()
    mark = Event.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        determinations.approve_determinations(actor=reviewer, determinations=[w[3] for w in worlds])
    seal_events()
    events = list(Event.objects.filter(sequence__gt=mark).order_by("sequence"))
    assert sum(e.verb.startswith("determination") for e in events) == 6 and all(e.hash for e in events)
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_refusals_are_the_words_one_approval_would_raise_and_leave_the_rest_approved(
    reference_data, officer, reviewer, item, today
):
    letter(item)
    customers = [CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US") for _ in range(2)]
    draft = determinations.prepare_determination(actor=officer, subject=customers[0], effective_on=today)
    ready = in_review(officer, customers[1], today)
    with pytest.raises(TransitionError) as raised:
        determinations.approve_determination(actor=reviewer, determination=draft)

    approved, refused = determinations.approve_determinations(actor=reviewer, determinations=[draft, ready])

    assert refused == {draft.pk: str(raised.value)}
    assert [d.pk for d in approved] == [ready.pk]
    draft.refresh_from_db()
    assert draft.status == D.DRAFT and draft.approved_by is None


def test_four_eyes_and_role_hold_in_bulk(reference_data, officer, reviewer, item, today):
    ready = in_review(officer, CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US"), today)
    approved, refused = determinations.approve_determinations(actor=officer, determinations=[ready])
    assert approved == [] and "may not approve" in refused[ready.pk]
    ready.refresh_from_db()
    assert ready.status == D.IN_REVIEW


def test_a_subject_named_twice_is_approved_in_turn_the_later_superseding_the_earlier(
    reference_data, officer, reviewer, item, today
):
    customer = CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")
    first, second = in_review(officer, customer, today), in_review(officer, customer, today)

    approved, refused = determinations.approve_determinations(actor=reviewer, determinations=[first, second])

    assert refused == {} and [d.pk for d in approved] == [first.pk, second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (D.SUPERSEDED, D.APPROVED)
    assert ForeignPersonDetermination.objects.for_subject(customer).approved().get() == second
