"""What the auditor's desk reads: events as people read them, in one time zone, and the chain's verification."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from licensing.audit.checkpoints import CheckpointFileInvalid, read_checkpoints, verify_log
from licensing.audit.models import Event
from licensing.audit.verbs import Verb

# The pages of the records an event may name, by model name.
DETAIL_URLS = {
    "customer": "customer_detail",
    "person": "person_detail",
    "foreignpersondetermination": "determination_detail",
    "transaction": "transaction_detail",
    "licenceapplication": "application_detail",
    "licence": "licence_detail",
}
LONG_VALUE = 120


def verb_name(verb: str) -> str:
    """The verb's label up to its colon: "Customer changed", not "customer.updated"."""
    try:
        label = str(Verb(verb).label)
    except ValueError:
        return verb
    return label.split(":", 1)[0]


def local_time(moment: datetime.datetime) -> str:
    """Every time on the desk, in the product's one time zone, with its abbreviation."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        # A reverse relation (a customer's "addresses", say) has no verbose name of its own.
        if getattr(field, "verbose_name", None):
            return str(field.verbose_name)
    return name.replace("_", " ")


def _value(value: Any) -> str:
    if value in (None, "", [], {}):
        return "(blank)"
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= LONG_VALUE else text[: LONG_VALUE - 1] + "…"


def changes(event: Event) -> list[str]:
    """Field by field, in words: "25 signature: name changed from (blank) to Olivia Officer"."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = event.target_type.model_class()
    lines = []
    for name in [*before, *(k for k in after if k not in before)]:
        label = _field_label(model, name)
        if name in before and name in after:
            if before[name] != after[name]:
                lines.append(f"{label} changed from {_value(before[name])} to {_value(after[name])}")
        elif name in after:
            lines.append(f"{label}: {_value(after[name])}")
        else:
            lines.append(f"{label} was {_value(before[name])}")
    return lines


@dataclass(frozen=True)
class Row:
    event: Event
    when: str
    action: str
    subject_kind: str
    subject: str
    subject_url: str
    changes: list[str]


def row(event: Event) -> Row:
    model_name = event.target_type.model
    url = ""
    if model_name in DETAIL_URLS and event.target_id.isdigit():
        try:
            url = reverse(DETAIL_URLS[model_name], args=[int(event.target_id)])
        except NoReverseMatch:
            url = ""
    model = event.target_type.model_class()
    kind = str(model._meta.verbose_name) if model is not None else model_name
    return Row(
        event=event,
        when=local_time(event.occurred_at),
        action=verb_name(event.verb),
        subject_kind=kind[:1].upper() + kind[1:],
        subject=event.target_repr,
        subject_url=url,
        changes=changes(event),
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str
    head_hash: str
    head_sequence: int | None
    checkpoints: int
    verified_at: str


def verify() -> ChainReport:
    """Walk the whole chain against the checkpoints on file, as `manage.py verify_audit` does."""
    head = Event.objects.sealed().order_by("-sequence").values("hash", "sequence").first()
    try:
        checkpoints = read_checkpoints()
        result = verify_log(checkpoints)
    except CheckpointFileInvalid as error:
        return ChainReport(False, 0, f"The checkpoint file cannot be trusted: {error}.", "", None, 0, _now())
    problem = ""
    if not result.ok:
        where = f" at sequence {result.broken_at}" if result.broken_at is not None else ""
        problem = f"Broken{where}: {result.problem}. {result.checked} events before it verified."
    return ChainReport(
        ok=result.ok,
        checked=result.checked,
        problem=problem,
        head_hash=head["hash"] if head else "",
        head_sequence=head["sequence"] if head else None,
        checkpoints=len(checkpoints),
        verified_at=_now(),
    )


def _now() -> str:
    return local_time(timezone.now())


def time_zone_name() -> str:
    return str(settings.TIME_ZONE)
