"""Run an event's reactions, in the order its row of the table lists them."""

from typing import Any

from licensing.audit.models import Event

from .table import REACTIONS


def react(event: Event, target: Any) -> None:
    """Run every reaction declared for the event's verb; `target` is the record the event is about."""
    for reaction in REACTIONS.get(event.verb, ()):
        reaction(event, target)
