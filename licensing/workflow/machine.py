"""State machines as data, with the one function that moves a record between states.

Each machine is a table of `Transition`s. `StateMachine.apply` is the only
code that changes a status: it locks the row, checks the move against the
table and the actor against the move's action and four-eyes rule, saves only
the fields that changed, and writes the event, all in one database
transaction. What follows a move (clocks, filings, webhooks, re-decisions)
is the event's reactions (`licensing.reactions.table`): the engine imports
none of them. `available_transitions` reads the same table to decide which
buttons a user sees.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event


class TransitionError(Exception):
    """A state change was refused; the message says why in words a user can act on."""


class IllegalTransition(TransitionError):
    pass


class ActorNotAllowed(TransitionError):
    pass


class ReasonRequired(TransitionError):
    pass


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    action: Action | None
    label: str = ""
    requires_reason: bool = False
    # Four eyes: the actor must not be the user named by this field of the record.
    not_by_field: str | None = None
    # System transitions (supersession, expiry) are never offered to users.
    system_only: bool = False


# The machine's model: `apply` hands the changes callback, and returns, a row of it.
M = TypeVar("M", bound=models.Model)


@dataclass
class StateMachine(Generic[M]):
    model: type[M]
    transitions: tuple[Transition, ...]
    status_field: str = "status"
    verb_prefix: str = ""
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self):
        self._by_name = {t.name: t for t in self.transitions}
        status_values = {choice for choice, _ in self.model._meta.get_field(self.status_field).choices}
        for t in self.transitions:
            unknown = ({t.target} | set(t.sources)) - status_values
            if unknown:
                raise ValueError(f"{t.name} names unknown statuses {unknown}")

    def verbs(self) -> tuple[str, ...]:
        """The event verbs of this machine's moves, one per transition."""
        return tuple(f"{self.verb_prefix}{t.name}" for t in self.transitions)

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise IllegalTransition(f"there is no transition named {name!r}") from None

    def targets_from(self, status: str) -> set[str]:
        return {t.target for t in self.transitions if status in t.sources}

    def available_transitions(self, obj, user) -> list[Transition]:
        """List the transitions this user may make on obj now (drives the UI's buttons)."""
        current = getattr(obj, self.status_field)
        return [
            t
            for t in self.transitions
            if current in t.sources and not t.system_only and self._refusal(t, obj, user) is None
        ]

    def _refusal(self, t: Transition, obj, actor) -> str | None:
        if t.system_only:
            return None if actor is None else f"{t.label or t.name} is done by the system only"
        if t.action is not None and not user_can(actor, t.action):
            return f"{actor} may not {t.label or t.name}: the role does not allow it"
        if t.not_by_field and actor is not None:
            if getattr(obj, f"{t.not_by_field}_id") == actor.pk:
                return (
                    f"{actor} may not {t.label or t.name}: a second person must do it "
                    f"(four eyes; {actor} is the {t.not_by_field.replace('_', ' ')})"
                )
        return None

    def check(self, locked, name: str, *, actor, reason: str = "") -> str:
        """Refuse the move as `apply` would (state, actor, reason), or return the reason, stripped.

        For services that move many locked rows at once; they must lock the rows first.
        """
        t = self.get(name)
        current = getattr(locked, self.status_field)
        if current not in t.sources:
            raise IllegalTransition(
                f"cannot {t.label or t.name} {self.model._meta.verbose_name} "
                f"{locked}: it is {locked.get_status_display().lower()}"
            )
        refusal = self._refusal(t, locked, actor)
        if refusal:
            raise ActorNotAllowed(refusal)
        reason = (reason or "").strip()
        if t.requires_reason and not reason:
            raise ReasonRequired(f"{t.label or t.name} needs a reason")
        return reason

    def apply(
        self,
        obj,
        name: str,
        *,
        actor,
        reason: str = "",
        # Given the locked row, an instance of the machine's model.
        changes: Callable[[M], Iterable[str]] | None = None,
        extra_event_data: dict | None = None,
    ) -> M:
        """Move obj along the named transition and return the locked, saved row.

        `changes` may set further fields on the locked row (for example who
        approved it) and returns their names so they are saved with the status.
        """
        t = self.get(name)
        with transaction.atomic():
            # Any: the machine's model, with the status field and display the machine was built for.
            locked: Any = self.model._default_manager.select_for_update(no_key=True).get(pk=obj.pk)
            current = getattr(locked, self.status_field)
            reason = self.check(locked, name, actor=actor, reason=reason)
            setattr(locked, self.status_field, t.target)
            updated = {self.status_field}
            if changes is not None:
                updated |= set(changes(locked) or ())
            if "updated_at" in {f.name for f in self.model._meta.concrete_fields}:
                updated.add("updated_at")
            locked.full_clean()
            locked.save(update_fields=sorted(updated))
            record_event(
                actor=actor,
                verb=f"{self.verb_prefix}{t.name}",
                target=locked,
                before={self.status_field: current},
                after={self.status_field: t.target, **(extra_event_data or {})},
                reason=reason,
            )
        return locked
