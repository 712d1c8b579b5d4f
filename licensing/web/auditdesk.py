"""What the auditor's desk reads: events as people read them, in one time zone, and the chain's verification."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from licensing.audit.checkpoints import CheckpointFileInvalid, read_checkpoints, verify_log
from licensing.audit.models import Event
from licensing.audit.verbs import Verb

from .event_text import DETAIL_URLS, changes


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
