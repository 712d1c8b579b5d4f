from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .chain import as_stored_json
from .models import Event
from .sealing import seal_events, take_sequence, take_sequences, writers_run_concurrently
from .verbs import checked_verb

SYSTEM_ACTOR_LABEL = "system"

# (token id, label) of the API token whose request is being served. Services
# take actor=None for a machine client, so without it their events would be
# indistinguishable from the system's own.
_calling_token: ContextVar[tuple[int, str] | None] = ContextVar("calling_token", default=None)


@contextmanager
def attributed_to_api_token(*, token_id: int, label: str) -> Iterator[None]:
    """Name an API token as the actor of every event recorded without a user inside the block."""
    reset = _calling_token.set((token_id, label))
    try:
        yield
    finally:
        _calling_token.reset(reset)


# What follows an event is declared in the reactions table (licensing.reactions),
# which installs its dispatcher here when the apps are ready: the log imports no consumer.
_reactor: Callable[[Event, object], None] | None = None
# What `record_events` runs its events' reactions inside, installed with the reactor: the reactions to
# many events recorded at once may share what each would read alone.
_reacting_together: Callable[[], AbstractContextManager[object]] = nullcontext


def install_reactor(
    reactor: Callable[[Event, object], None] | None,
    *,
    together: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> None:
    """Have `reactor(event, target)` run after each event is written, in the same transaction.

    `together()` is entered around the reactions to the events `record_events` writes at once.
    """
    global _reactor, _reacting_together
    _reactor, _reacting_together = reactor, together


def _actor_columns(actor: Any) -> tuple[int | None, str]:
    if actor is not None:
        return None, actor.get_username()
    if (calling := _calling_token.get()) is not None:
        return calling
    return None, SYSTEM_ACTOR_LABEL


def record_event(
    *,
    # The acting user, None for the system; Any because the log sits below the accounts app.
    actor: Any,
    verb: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> Event:
    """Append one event to the log; call it inside the transaction that made the change.

    The event is readable at once; the sealer links it into the hash chain
    once its transaction has committed (sealing.py), so writers do not wait
    for one another.
    """
    verb = checked_verb(verb)
    api_token_id, actor_label = _actor_columns(actor)
    with transaction.atomic():
        event = Event(
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=actor_label,
            api_token_id=api_token_id,
            verb=verb,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
            target_repr=str(target)[:255],
            before=as_stored_json(before or {}),
            after=as_stored_json(after or {}),
            reason=reason,
            sequence=take_sequence(),
        )
        event.save(force_insert=True)
        if not writers_run_concurrently():
            seal_events()
            event.refresh_from_db(fields=["previous_hash", "hash"])
    if _reactor is not None:
        _reactor(event, target)
    return event


@dataclass(frozen=True)
class EventRecord:
    """One event for `record_events`: the arguments `record_event` takes."""

    actor: Any
    verb: str
    target: models.Model
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str = ""


def record_events(records: Sequence[EventRecord]) -> list[Event]:
    """Append many events in their order, as `record_event` would one after another, in one insert.

    Each event is its own row with its own sequence number, and each one's
    reactions run after all are written, in the same order. The sealer links
    them into the chain after commit exactly as it links events written one by
    one: the chain is made from committed rows in sequence order, not at insert.
    """
    if not records:
        return []
    now = timezone.now()
    events: list[Event] = []
    with transaction.atomic():
        for record, sequence in zip(records, take_sequences(len(records)), strict=True):
            api_token_id, actor_label = _actor_columns(record.actor)
            events.append(
                Event(
                    occurred_at=now,
                    actor=record.actor,
                    actor_label=actor_label,
                    api_token_id=api_token_id,
                    verb=checked_verb(record.verb),
                    target_type=ContentType.objects.get_for_model(record.target),
                    target_id=str(record.target.pk),
                    target_repr=str(record.target)[:255],
                    before=as_stored_json(record.before or {}),
                    after=as_stored_json(record.after or {}),
                    reason=record.reason,
                    sequence=sequence,
                )
            )
        Event.objects.bulk_create(events, batch_size=1000)
        if not writers_run_concurrently():
            seal_events()
            sealed = Event.objects.filter(pk__in=[e.pk for e in events]).in_bulk()
            for event in events:
                event.previous_hash, event.hash = sealed[event.pk].previous_hash, sealed[event.pk].hash
    if _reactor is not None:
        with _reacting_together():
            for event, record in zip(events, records, strict=True):
                _reactor(event, record.target)
    return events
