"""Triage: propose for each subject a bucket from its recorded facts, and the officers' moves and acceptances."""

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.parties.models import Customer, Person

from ..buckets import Bucket
from ..facts import CUSTOMER, PERSON, SubjectFacts, load_customer_facts, load_person_facts
from ..lookups import among
from ..models import Proposal, TriageRuleSet
from ..rules import Verdict, compile_rules, triage

# Subjects per round trip: facts for this many load in a few queries and fit well in memory.
CHUNK = 2000


class NoActiveRuleSet(ValidationError):
    """Triage was asked for while no rule set is active: nothing is proposed rather than guessed."""


def _require(actor, action: Action) -> None:
    if actor is not None and not user_can(actor, action):
        raise PermissionDenied(f"{actor} may not {action.label.lower()}")


def active_rule_set() -> TriageRuleSet:
    rule_set = TriageRuleSet.objects.active().first()
    if rule_set is None:
        raise NoActiveRuleSet("No triage rule set is active; activate one before triage.")
    return rule_set


def _ids(subjects: QuerySet | Iterable) -> Iterator[int]:
    if isinstance(subjects, QuerySet):
        yield from subjects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=CHUNK)
        return
    for subject in subjects:
        yield subject.pk if hasattr(subject, "pk") else int(subject)


def _chunks(ids: Iterator[int]) -> Iterator[list[int]]:
    while chunk := list(islice(ids, CHUNK)):
        yield chunk


def _unchanged(current: tuple, verdict: Verdict, reasons: list[dict[str, str]]) -> bool:
    # The same outcome on the same facts keeps the proposal, its acceptance and any officer's move.
    _, rule_bucket, stored_reasons, attribution = current
    return rule_bucket == verdict.bucket and stored_reasons == reasons and attribution == verdict.attribution_country


_COPIED = (
    "customer_id",
    "person_id",
    "bucket",
    "rule_bucket",
    "attribution_country_id",
    "reasons",
    "rule_set_id",
    "proposed_at",
    "is_current",
    "move_reason",
)


def _insert(rows: list[dict[str, Any]]) -> None:
    if connection.vendor != "postgresql":
        Proposal.objects.bulk_create([Proposal(**row) for row in rows], batch_size=CHUNK)
        return
    # COPY: a book's worth of proposals in one stream, without building a model object for each.
    table = connection.ops.quote_name(Proposal._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(_COPIED)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c == "reasons" else row[c] for c in _COPIED])


def _write(kind: str, facts: list[SubjectFacts], rule_set: TriageRuleSet, rules, now, counts: Counter) -> int:
    field = "customer_id" if kind == CUSTOMER else "person_id"
    ids = [f.subject_id for f in facts]
    with transaction.atomic():
        current = {
            subject_id: (pk, rule_bucket, reasons, attribution)
            for pk, subject_id, rule_bucket, reasons, attribution in Proposal.objects.current()
            .filter(**among(field, ids))
            .select_for_update(no_key=True)
            .values_list("pk", field, "rule_bucket", "reasons", "attribution_country_id")
        }
        superseded, fresh = [], []
        for subject in facts:
            verdict = triage(rules, subject)
            reasons = [r.as_dict() for r in verdict.reasons]
            old = current.get(subject.subject_id)
            if old is not None and _unchanged(old, verdict, reasons):
                continue
            if old is not None:
                superseded.append(old[0])
            counts[verdict.bucket] += 1
            fresh.append(
                {
                    "customer_id": subject.subject_id if kind == CUSTOMER else None,
                    "person_id": subject.subject_id if kind != CUSTOMER else None,
                    "bucket": verdict.bucket,
                    "rule_bucket": verdict.bucket,
                    "attribution_country_id": verdict.attribution_country,
                    "reasons": reasons,
                    "rule_set_id": rule_set.pk,
                    "proposed_at": now,
                    "is_current": True,
                    "move_reason": "",
                }
            )
        if superseded:
            Proposal.objects.filter(**among("id", superseded)).update(is_current=False, superseded_at=now)
        _insert(fresh)
    return len(fresh)


def triage_subjects(
    customers: QuerySet | Iterable = (),
    persons: QuerySet | Iterable = (),
    *,
    actor=None,
    on: datetime.date | None = None,
) -> int:
    """Propose a bucket for each given customer and person under the active rule set; return proposals written.

    Takes querysets, instances or ids. A subject whose facts give the same
    outcome and reasons as its current proposal keeps it, so triage run twice
    writes nothing the second time. One event summarises the run.
    """
    _require(actor, Action.PREPARE_DETERMINATION)
    rule_set = active_rule_set()
    rules = compile_rules(rule_set.rules)
    on = on or timezone.localdate()
    now = timezone.now()
    counts: Counter = Counter()
    written = examined = 0
    for kind, subjects, loader in ((CUSTOMER, customers, load_customer_facts), (PERSON, persons, load_person_facts)):
        for chunk in _chunks(_ids(subjects)):
            facts = loader(chunk, on)
            examined += len(facts)
            written += _write(kind, facts, rule_set, rules, now, counts)
    if examined:
        with transaction.atomic():
            record_event(
                actor=actor,
                verb="triage.ran",
                target=rule_set,
                after={
                    "version": rule_set.version,
                    "on": on.isoformat(),
                    "subjects": examined,
                    "written": written,
                    "buckets": dict(sorted(counts.items())),
                },
            )
    return written


def triage_subject(subject: Customer | Person, *, actor=None, on: datetime.date | None = None) -> Proposal:
    """Triage one customer or person and return its current proposal."""
    if isinstance(subject, Person):
        triage_subjects(persons=[subject.pk], actor=actor, on=on)
    else:
        triage_subjects(customers=[subject.pk], actor=actor, on=on)
    return Proposal.objects.current().for_subject(subject).get()


def move_proposal(*, actor, proposal: Proposal, bucket: str, reason: str) -> Proposal:
    """Put a subject in another bucket than triage proposed, with the officer's reason; returns the new proposal."""
    _require(actor, Action.PREPARE_DETERMINATION)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the subject belongs in another bucket."})
    if bucket not in Bucket.values:
        raise ValidationError({"bucket": f"{bucket!r} is not a bucket; choose one of {', '.join(Bucket.values)}."})
    with transaction.atomic():
        # Locked so two officers moving the same subject at once cannot both supersede it.
        locked = Proposal.objects.select_for_update(no_key=True).get(pk=proposal.pk)
        if not locked.is_current:
            raise ValidationError({"proposal": "This proposal has been replaced since; move the current one."})
        if locked.bucket == bucket:
            raise ValidationError({"bucket": f"The subject is already in {Bucket(bucket).label}."})
        now = timezone.now()
        locked.is_current = False
        locked.superseded_at = now
        locked.save(update_fields=["is_current", "superseded_at"])
        moved = Proposal.objects.create(
            customer_id=locked.customer_id,
            person_id=locked.person_id,
            bucket=bucket,
            rule_bucket=locked.rule_bucket,
            attribution_country_id=locked.attribution_country_id,
            reasons=locked.reasons,
            rule_set_id=locked.rule_set_id,
            proposed_at=now,
            moved_by=actor,
            move_reason=reason,
            moved_at=now,
        )
        record_event(
            actor=actor,
            verb="triage.proposal_moved",
            target=moved.subject,
            before={"bucket": locked.bucket, "proposal": locked.pk},
            after={"bucket": bucket, "proposal": moved.pk},
            reason=reason,
        )
    return moved


def accept_proposals(*, actor, proposals: QuerySet | Iterable[Proposal]) -> int:
    """Accept current proposals so determinations can be prepared from them; returns how many were accepted."""
    _require(actor, Action.PREPARE_DETERMINATION)
    if actor is None:
        raise PermissionDenied("A proposal is accepted by an officer, never by the system.")
    ids = list(_ids(proposals))
    with transaction.atomic():
        # Only the current, not yet accepted ones: a replaced proposal's facts are stale.
        accepting = list(
            Proposal.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .current()
            .not_accepted()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not accepting:
            return 0
        Proposal.objects.filter(pk__in=accepting).update(accepted_by=actor, accepted_at=timezone.now())
        record_event(
            actor=actor,
            verb="triage.proposals_accepted",
            target=Proposal.objects.get(pk=accepting[0]).rule_set,
            after={"count": len(accepting), "proposals": accepting},
        )
    return len(accepting)
