"""Filings: ask for a new version of a document, render it once, record a failure, retry it."""

import datetime
import hashlib
from typing import BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.cases.models import LicenceApplication

from ..documents import MissingInformation, document_for, kinds_to_file
from ..models import Filing, FilingKind
from ..rendering import render_pdf
from ..snapshot import application_record, load_application, record_sha256
from ..task_names import RENDER_FILING
from .generated_files import enqueue, open_logged, publish_once


def request_filing(*, actor: User | None, application: LicenceApplication, kind: str) -> Filing:
    """Queue a new version of one document of an application; it is rendered after commit."""
    if not user_can(actor, Action.GENERATE_FILINGS):
        raise PermissionDenied(f"{actor} may not generate filings")
    if kind not in FilingKind.values:
        raise ValidationError({"kind": f"Unknown document kind {kind!r}; use one of {', '.join(FilingKind.values)}."})
    # Checked now so the asker hears at once what the application lacks;
    # the render checks again against the data as it stands then.
    try:
        document_for(kind).context(load_application(application.pk))
    except MissingInformation as missing:
        raise ValidationError({"kind": missing.message}) from None
    with transaction.atomic():
        filing = queue_filing(application=application, kind=kind, trigger=Filing.Trigger.ON_DEMAND, actor=actor)
    return filing


def queue_filings_on_approval(*, application: LicenceApplication, actor: User | None) -> list[Filing]:
    """Queue the documents an application approved for filing goes to BIS with (inside its transaction)."""
    return [
        queue_filing(application=application, kind=kind, trigger=Filing.Trigger.APPROVAL, actor=actor)
        for kind in kinds_to_file(load_application(application.pk))
    ]


def queue_filed_versions(*, application: LicenceApplication, actor: User | None) -> list[Filing]:
    """Queue the filed version of each document BIS received, once the application is filed (inside its transaction).

    Each is rendered with the SNAP-R control number and filing date and
    without the draft mark; it is the version the legal package holds.
    """
    loaded = load_application(application.pk)
    if not loaded.snapr_control_number or loaded.submitted_on is None:
        raise ValidationError(
            {"snapr_control_number": f"{loaded.reference} has no SNAP-R control number and filing date to print."}
        )
    return [
        queue_filing(application=application, kind=kind, trigger=Filing.Trigger.FILED, actor=actor, filed=True)
        for kind in kinds_to_file(loaded)
    ]


def queue_filing(
    *, application: LicenceApplication, kind: str, trigger: str, actor: User | None, filed: bool = False
) -> Filing:
    with transaction.atomic():
        # Locked so two requests for the same document cannot take the same version number.
        locked = LicenceApplication.objects.select_for_update(no_key=True).get(pk=application.pk)
        latest = Filing.objects.filter(application=locked, kind=kind).aggregate(v=Max("version"))["v"] or 0
        filing = Filing.objects.create(
            application=locked,
            kind=kind,
            version=latest + 1,
            trigger=trigger,
            filed=filed,
            requested_by=actor,
            application_status=locked.status,
        )
        record_event(
            actor=actor,
            verb="filing.requested",
            target=filing,
            after={
                "application": locked.reference,
                "kind": kind,
                "version": filing.version,
                "trigger": trigger,
                "filed": filed,
            },
        )
        filing_id = filing.pk
        transaction.on_commit(lambda: enqueue_render(filing_id))
    return filing


def enqueue_render(filing_id: int) -> None:
    # If the broker is away, "Retry" on the filing queues it again once it answers.
    enqueue(RENDER_FILING, model=Filing, record_id=filing_id)


def retry_filing(*, actor: User | None, filing: Filing) -> Filing:
    """Queue a failed (or stuck) filing again, as the same version."""
    if not user_can(actor, Action.GENERATE_FILINGS):
        raise PermissionDenied(f"{actor} may not generate filings")
    with transaction.atomic():
        locked = Filing.objects.select_for_update(no_key=True).get(pk=filing.pk)
        if locked.status == Filing.Status.READY:
            raise ValidationError({"filing": f"{locked} is already generated; ask for a new version instead."})
        Filing.objects.filter(pk=locked.pk).update(status=Filing.Status.QUEUED)
        record_event(actor=actor, verb="filing.retried", target=locked, after={"previous_error": locked.error})
        filing_id = locked.pk
        transaction.on_commit(lambda: enqueue_render(filing_id))
    locked.refresh_from_db()
    return locked


def generate_filing(*, filing_id: int) -> Filing:
    """Render a queued filing to its PDF once; a failure is recorded on the filing and raised again."""
    with transaction.atomic():
        filing = Filing.objects.select_for_update(no_key=True).select_related("application").get(pk=filing_id)
        if filing.status == Filing.Status.READY:
            return filing
        Filing.objects.filter(pk=filing_id).update(status=Filing.Status.RENDERING, attempts=F("attempts") + 1)
    generated_at = timezone.now()
    try:
        application = load_application(filing.application_id)
        document = document_for(filing.kind)
        fields = document.context(application)
        source_sha256 = record_sha256(application_record(application))
        stamp = _stamp(filing, application, generated_at, source_sha256)
        pdf = render_pdf(
            document.template, {**fields, "document": document, "stamp": stamp, "application": application}
        )
        sha256 = hashlib.sha256(pdf.content).hexdigest()
        ready_fields = {
            "sha256": sha256,
            "size_bytes": len(pdf.content),
            "page_count": pdf.page_count,
            "generated_at": generated_at,
            "application_status": application.status,
            "source_sha256": source_sha256,
            "error": "",
            "failed_at": None,
        }
        event_after = {
            "kind": filing.kind,
            "version": filing.version,
            "filed": filing.filed,
            "draft": stamp["draft"],
            "sha256": sha256,
            "pages": pdf.page_count,
            "application_status": application.status,
        }
        return publish_once(
            model=Filing,
            record_id=filing_id,
            directory=f"filings/{application.pk}",
            stem=f"{application.reference}-{filing.kind}-v{filing.version}",
            suffix=".pdf",
            write=lambda handle: handle.write(pdf.content),
            ready=lambda name: (ready_fields, event_after),
            verb="filing.generated",
        )
    except Exception as error:
        _record_failure(filing_id, error)
        raise


def is_draft(filing: Filing, application: LicenceApplication) -> bool:
    """Whether a render is a draft: anything of an unfiled application, and any but the filed version of a form."""
    if filing.filed:
        return False
    return application.submitted_on is None or filing.kind != FilingKind.LICENCE_SUMMARY


def _stamp(
    filing: Filing, application: LicenceApplication, generated_at: datetime.datetime, source_sha256: str
) -> dict[str, object]:
    if filing.filed and (not application.snapr_control_number or application.submitted_on is None):
        # Never print a "filed" version that cannot say where and when it was filed.
        raise MissingInformation(
            "snapr_control_number",
            f"{application.reference} has no SNAP-R control number and filing date; its filed version cannot be made.",
        )
    local = timezone.localtime(generated_at)
    return {
        "draft": is_draft(filing, application),
        "filed": filing.filed,
        "filed_on": f"{application.submitted_on:%Y-%m-%d}" if application.submitted_on else "",
        "reference": application.reference,
        "control_number": application.snapr_control_number,
        "generated_at": f"{local:%Y-%m-%d %H:%M:%S %Z}",
        "generated_at_iso": generated_at.isoformat(timespec="seconds"),
        "filing": filing.pk,
        "version": filing.version,
        "trigger": filing.get_trigger_display().lower(),
        "requested_by": filing.requested_by.get_username() if filing.requested_by else "",
        "application_status": application.get_status_display().lower(),
        "source_sha256": source_sha256,
    }


def describe_error(error: Exception) -> str:
    if isinstance(error, MissingInformation):
        return error.message
    return f"{type(error).__name__}: {error}"


def _record_failure(filing_id: int, error: Exception) -> None:
    message = describe_error(error)[:2000]
    with transaction.atomic():
        filing = Filing.objects.select_for_update(no_key=True).get(pk=filing_id)
        if filing.status == Filing.Status.READY:
            return
        Filing.objects.filter(pk=filing_id).update(status=Filing.Status.FAILED, error=message, failed_at=timezone.now())
        record_event(
            actor=None,
            verb="filing.failed",
            target=filing,
            after={"attempt": filing.attempts, "error": message},
        )


def open_filing_for_download(*, actor: User | None, filing: Filing) -> BinaryIO:
    """Return a generated filing's PDF, open, for a user who may read cases, logging the download."""
    if not user_can(actor, Action.VIEW_CASES):
        raise PermissionDenied(f"{actor} may not read filings")
    if filing.status != Filing.Status.READY:
        raise ValidationError({"filing": f"{filing} is {filing.get_status_display().lower()}, not generated yet."})
    return open_logged(filing, actor=actor, verb="filing.downloaded")
