"""Derive the deadlines of a case or a determination from its events and store them.

The only writer of `Deadline` rows. Every function here is idempotent: it
reads the event log and the rows, computes the clocks, and brings the stored
deadlines in line, so running it twice, or late, changes nothing further.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date

from licensing.audit.models import Event
from licensing.audit.services import record_event
from licensing.cases.models import (
    FINAL_APPLICATION_STATUSES,
    InformationRequest,
    Licence,
    LicenceApplication,
    SupportingDocument,
    SupportingDocumentKind,
)
from licensing.determinations.models import ForeignPersonDetermination
from licensing.filings.retention import RetentionDates
from licensing.filings.services.retention import refresh_retention
from licensing.parties.models import Person, Visa

from . import clocks
from .models import Deadline, Kind
from .rules import rwa_resubmission_days

SETTLED_VERB = "deadline.settled"
MISSED_VERB = "deadline.missed"

A = LicenceApplication.Status
D = ForeignPersonDetermination.Status


def recompute_case(*, application_id: int, today: datetime.date | None = None) -> list[Deadline]:
    """Derive every clock of one case (application, licence, BIS-711s, retention) and store them."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Locked so two recomputations of one case, enqueued by transitions
        # committed close together, cannot both insert the same clock.
        application = LicenceApplication.objects.select_for_update(no_key=True).filter(pk=application_id).first()
        if application is None:
            return []
        stored = _store_case(application, today)
        # A resubmission closes the clock of the application it replaces.
        earlier = LicenceApplication.objects.select_for_update(no_key=True).filter(
            transaction_id=application.transaction_id, pk__lt=application.pk, status=A.RETURNED_WITHOUT_ACTION
        )
        for returned in earlier:
            _store_case(returned, today)
    return stored


def recompute_determination(*, determination_id: int, today: datetime.date | None = None) -> list[Deadline]:
    """Derive the review-by clock of one determination and store it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        determination = (
            ForeignPersonDetermination.objects.select_for_update(no_key=True).filter(pk=determination_id).first()
        )
        if determination is None:
            return []
        wanted = []
        if determination.status in (D.APPROVED, D.SUPERSEDED):
            superseded_on = None
            if determination.status == D.SUPERSEDED:
                superseded_on = _status_day(determination, "determination.", D.SUPERSEDED)
            clock = clocks.determination_review_clock(
                effective_on=determination.effective_on,
                review_by=determination.review_by,
                today=today,
                superseded_on=superseded_on,
                settlements=_settlements(determination),
            )
            wanted.append((determination, clock))
        return _store(
            wanted,
            scope=Deadline.objects.for_subject(determination),
            application_id=None,
            owner_id=determination.prepared_by_id,
            reviewer_id=determination.approved_by_id,
            today=today,
        )


def recompute_visas(*, person_id: int, today: datetime.date | None = None) -> list[Deadline]:
    """Derive the expiry clock of each of a person's visas: the current one runs, earlier ones were replaced."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Locked as the services lock it when a visa is recorded, so two recomputations cannot both insert.
        if not Person.objects.select_for_update(no_key=True).filter(pk=person_id).exists():
            return []
        visas = list(Visa.objects.filter(person_id=person_id).order_by("recorded_at", "pk"))
        stored: list[Deadline] = []
        for visa, newer in zip(visas, [*visas[1:], None], strict=True):
            clock = clocks.visa_expiry_clock(
                recorded_on=timezone.localdate(visa.recorded_at),
                expires_on=visa.expires_on,
                today=today,
                replaced_on=timezone.localdate(newer.recorded_at) if newer is not None else None,
            )
            stored += _store(
                [(visa, clock)],
                scope=Deadline.objects.for_subject(visa),
                application_id=None,
                owner_id=visa.recorded_by_id,
                reviewer_id=None,
                today=today,
            )
    return stored


def recompute_for(deadline: Deadline, *, today: datetime.date | None = None) -> None:
    """Recompute whatever the deadline was derived from."""
    if deadline.application_id is not None:
        recompute_case(application_id=deadline.application_id, today=today)
    elif deadline.kind == Kind.DETERMINATION_REVIEW:
        recompute_determination(determination_id=deadline.subject_id, today=today)
    elif deadline.kind == Kind.VISA_EXPIRY:
        person_id = Visa.objects.filter(pk=deadline.subject_id).values_list("person_id", flat=True).first()
        if person_id is not None:
            recompute_visas(person_id=person_id, today=today)


def refresh_deadlines(*, today: datetime.date | None = None, lapsed_only: bool = False) -> int:
    """Recompute what the passing of days changes; return how many cases, determinations and visa holders were read.

    With `lapsed_only`, only those with an open clock past its day or stopped;
    otherwise also every open case, live licence, approved determination and unexpired visa.
    """
    today = today or timezone.localdate()
    lapsed = Deadline.objects.open().filter(Q(due_on__lt=today) | Q(paused_since__isnull=False))
    case_ids = set(lapsed.exclude(application=None).values_list("application_id", flat=True))
    determination_ids = set(lapsed.filter(kind=Kind.DETERMINATION_REVIEW).values_list("subject_id", flat=True))
    person_ids = set(
        Visa.objects.filter(
            pk__in=lapsed.filter(kind=Kind.VISA_EXPIRY).values_list("subject_id", flat=True)
        ).values_list("person_id", flat=True)
    )
    if not lapsed_only:
        case_ids |= set(LicenceApplication.objects.open().values_list("pk", flat=True))
        case_ids |= set(
            Licence.objects.filter(status__in=[Licence.Status.ACTIVE, Licence.Status.SUSPENDED]).values_list(
                "application_id", flat=True
            )
        )
        determination_ids |= set(ForeignPersonDetermination.objects.approved().values_list("pk", flat=True))
        # Every visa not yet past its expiry, so one recorded while no worker ran still gets its clock.
        person_ids |= set(Visa.objects.filter(expires_on__gte=today).values_list("person_id", flat=True))
    for pk in sorted(case_ids):
        recompute_case(application_id=pk, today=today)
    for pk in sorted(determination_ids):
        recompute_determination(determination_id=pk, today=today)
    for pk in sorted(person_ids):
        recompute_visas(person_id=pk, today=today)
    return len(case_ids) + len(determination_ids) + len(person_ids)


def _store_case(application: LicenceApplication, today) -> list[Deadline]:
    moves = _moves(application)
    # Each clock with the record it belongs to: the application, its licence, a statement or a request.
    wanted: list[tuple[models.Model, clocks.Clock]] = [
        (application, clock)
        for clock in clocks.application_clocks(
            moves,
            today=today,
            settlements=_settlements(application),
            resubmitted_on=_resubmitted_on(application),
            rwa_resubmission_days=rwa_resubmission_days(),
        )
    ]
    licence = Licence.objects.filter(application=application).first()
    if licence is not None:
        clock = clocks.licence_expiry_clock(
            valid_from=licence.valid_from, valid_until=licence.valid_until, today=today, ended=_licence_end(licence)
        )
        wanted.append((licence, clock))
    abandoned_on = moves[-1].on if application.status in FINAL_APPLICATION_STATUSES and moves else None
    statements = application.documents.filter(kind=SupportingDocumentKind.FORM_711, signed_on__isnull=False)
    for document in statements.order_by("pk"):
        assert document.signed_on is not None, "only signed statements are read"
        clock = clocks.bis_711_clock(
            signed_on=document.signed_on,
            later_use=_is_later_use(document, application),
            today=today,
            filed_on=application.submitted_on,
            abandoned_on=None if application.submitted_on else abandoned_on,
            settlements=_settlements(document),
        )
        wanted.append((document, clock))
    for request in application.information_requests.order_by("pk"):
        clock = clocks.information_request_clock(
            requested_on=request.requested_on,
            respond_by=request.respond_by,
            today=today,
            answered_on=request.answered_on,
            abandoned_on=None if request.answered_on else abandoned_on,
            settlements=_settlements(request),
        )
        wanted.append((request, clock))
    # The case's retention record is brought up to date with its deadline, from
    # the one computation both read, so the two dates cannot disagree.
    record = refresh_retention(application=application, today=today)
    retention = clocks.retention_clock(retention=RetentionDates.of(record), today=today)
    if retention is not None:
        wanted.append((application, retention))
    return _store(
        wanted,
        scope=Deadline.objects.filter(application=application),
        application_id=application.pk,
        owner_id=application.assigned_officer_id or application.prepared_by_id,
        reviewer_id=application.approved_for_filing_by_id,
        today=today,
    )


def _store(wanted, *, scope, application_id, owner_id, reviewer_id, today) -> list[Deadline]:
    stored = []
    for subject, clock in wanted:
        subject_type = ContentType.objects.get_for_model(subject)
        values = {
            "status": clock.status,
            "starts_on": clock.starts_on,
            "due_on": clock.due_on,
            "stopped_days": clock.stopped_days,
            "paused_since": clock.paused_since,
            "settled_on": clock.settled_on,
            "basis": clock.basis[:500],
            "subject_repr": _describe(subject)[:255],
            "application_id": application_id,
            "owner_id": owner_id,
            "reviewer_id": reviewer_id,
        }
        deadline = Deadline.objects.filter(kind=clock.kind, subject_type=subject_type, subject_id=subject.pk).first()
        was = deadline.status if deadline is not None else None
        if deadline is None:
            deadline = Deadline(kind=clock.kind, subject_type=subject_type, subject_id=subject.pk, **values)
            deadline.full_clean(validate_unique=False, validate_constraints=False)
            deadline.save()
        else:
            changed = [name for name, value in values.items() if getattr(deadline, name) != value]
            if changed:
                for name in changed:
                    setattr(deadline, name, values[name])
                deadline.full_clean(validate_unique=False, validate_constraints=False)
                deadline.save(update_fields=[*changed, "updated_at"])
        if deadline.status == Deadline.Status.MISSED and was != Deadline.Status.MISSED:
            record_event(
                actor=None,
                verb=MISSED_VERB,
                target=deadline,
                before={"status": was} if was else {},
                after={"status": deadline.status, "kind": deadline.kind, "due_on": deadline.due_on},
            )
        stored.append(deadline)
    # A clock the events no longer start (a document replaced, say) is closed.
    for leftover in scope.open().exclude(pk__in=[d.pk for d in stored]):
        leftover.status = Deadline.Status.CANCELLED
        leftover.settled_on = today
        leftover.paused_since = None
        leftover.save(update_fields=["status", "settled_on", "paused_since", "updated_at"])
    return stored


def _moves(application: LicenceApplication) -> list[clocks.Move]:
    moves = []
    for event in Event.objects.for_target(application).filter(verb__startswith="application.").order_by("sequence"):
        before, after = event.before.get("status"), event.after.get("status")
        if before and after and before != after:
            moves.append(clocks.Move(on=_event_day(event), before=before, after=after))
    return moves


def _event_day(event: Event) -> datetime.date:
    # The day BIS acted, as recorded with the move; the recording time otherwise.
    for key in ("on", "registered_on"):
        value = event.after.get(key)
        if isinstance(value, str):
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is not None:
                return day
    return timezone.localdate(event.occurred_at)


def _settlements(subject) -> list[clocks.Settlement]:
    settlements = []
    for event in Event.objects.for_target(subject).filter(verb=SETTLED_VERB).order_by("sequence"):
        kind, status = event.after.get("kind"), event.after.get("status")
        if kind in Kind.values and status in (Deadline.Status.MET, Deadline.Status.CANCELLED):
            settlements.append(clocks.Settlement(kind=kind, status=status, on=_event_day(event)))
    return settlements


def _status_day(target, verb_prefix: str, status: str) -> datetime.date:
    event = (
        Event.objects.for_target(target)
        .filter(verb__startswith=verb_prefix, after__status=status)
        .order_by("-sequence")
        .first()
    )
    return _event_day(event) if event is not None else timezone.localdate(target.updated_at)


def _licence_end(licence: Licence) -> tuple[str, datetime.date] | None:
    if licence.status in (Licence.Status.ACTIVE, Licence.Status.SUSPENDED):
        return None
    return licence.status, _status_day(licence, "licence.", licence.status)


def _resubmitted_on(application: LicenceApplication) -> datetime.date | None:
    return (
        LicenceApplication.objects.filter(
            transaction_id=application.transaction_id, pk__gt=application.pk, submitted_on__isnull=False
        )
        .order_by("submitted_on")
        .values_list("submitted_on", flat=True)
        .first()
    )


def _is_later_use(document: SupportingDocument, application: LicenceApplication) -> bool:
    # The same statement is recognised by its signature date and the customer
    # it was signed for; an application filed earlier with it was its first use.
    earlier = (
        SupportingDocument.objects.filter(
            kind=SupportingDocumentKind.FORM_711,
            signed_on=document.signed_on,
            application__customer_id=application.customer_id,
            application__submitted_on__isnull=False,
        )
        .exclude(application_id=application.pk)
        .values_list("application__submitted_on", "application_id")
    )
    mine = (application.submitted_on, application.pk)
    return any(application.submitted_on is None or other < mine for other in earlier)


def _describe(subject) -> str:
    if isinstance(subject, LicenceApplication):
        return f"{subject.reference} ({subject.customer})"
    if isinstance(subject, Licence):
        return f"{subject} ({subject.application.reference})"
    if isinstance(subject, SupportingDocument):
        statement = getattr(subject, "consignee_statement", None)
        if statement is not None:
            return (
                f"BIS-711 of {statement.consignee_name} signed {subject.signed_on} by {statement.signer_name} "
                f"({subject.application.reference})"
            )
        return f"BIS-711 signed {subject.signed_on} ({subject.application.reference})"
    if isinstance(subject, InformationRequest):
        return f"Request for information of {subject.requested_on} ({subject.application.reference})"
    return str(subject)
