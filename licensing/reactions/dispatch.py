"""Run an event's reactions, in the order its row of the table lists them."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from licensing.api.webhooks.publishing import publishing_together
from licensing.audit.models import Event

from .table import REACTIONS


def react(event: Event, target: Any) -> None:
    """Run every reaction declared for the event's verb; `target` is the record the event is about."""
    for reaction in REACTIONS.get(event.verb, ()):
        reaction(event, target)


@contextmanager
def reacting_together() -> Iterator[None]:
    """Run the reactions to many events recorded at once: the webhook subscriptions are read once for them all."""
    with publishing_together():
        yield
