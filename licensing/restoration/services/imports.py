"""Bulk intake: check a file of the customer book (the dry run), then import it in resumable chunks and triage it.

What an import creates or changes is screened after it, a chunk per task (`screening.py`), and the uploaded
file is kept only until its retention ends (`retention.py`); the run keeps the file's SHA-256.
"""

import hashlib
import json
import logging
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.outbox.services import enqueue
from licensing.parties import intake
from licensing.parties.models import Customer, CustomerAddress, Person

from ..intake.checking import Checked, Report, check
from ..intake.columns import FileKind
from ..intake.reading import MAX_FILE_BYTES, Unreadable, iter_chunks, read_file, read_records
from ..models import ImportRun, ImportScreeningChunk
from ..task_names import RUN_IMPORT
from .screening import queue_screening, record_to_screen
from .triage import triage_subjects

log = logging.getLogger(__name__)

# Rows per committed chunk: small enough to resume cheaply, large enough that bulk statements pay off.
CHUNK = 2000

WRITERS = {
    FileKind.CUSTOMERS: intake.bulk_save_customers,
    FileKind.SEATS: intake.bulk_save_seats,
    FileKind.OWNERSHIP: intake.bulk_record_ownership,
    FileKind.ADDRESSES: intake.bulk_save_addresses,
}


def _require(actor, *, machine_allowed: bool = False) -> None:
    if actor is None and machine_allowed:
        return
    if not user_can(actor, Action.EDIT_PARTIES):
        raise PermissionDenied(f"{actor} may not import customers and persons")


def _kind(kind: str) -> FileKind:
    if kind not in FileKind.values:
        raise ValidationError({"kind": f"{kind!r} is not a kind of file; choose one of {', '.join(FileKind.values)}."})
    return FileKind(kind)


def _refused(problem: str, line: int | None = None) -> Checked:
    report = Report()
    report.add(line, None, problem)
    return Checked(report, [])


def _check_bytes(kind: str, name: str, content: bytes) -> Checked:
    try:
        rows = read_file(name, content)
    except Unreadable as error:
        return _refused(error.problem, error.line)
    return check(kind, rows, today=timezone.localdate())


def _check_records(kind: str, records: list[Any]) -> Checked:
    try:
        rows = read_records(records)
    except Unreadable as error:
        return _refused(error.problem, error.line)
    return check(kind, rows, today=timezone.localdate())


def _open(
    *, actor, kind: str, name: str, content: bytes | None, checked: Checked, dry_run: bool, source: str, size: int
) -> ImportRun:
    if checked.ok:
        status = ImportRun.Status.CHECKED if dry_run else ImportRun.Status.QUEUED
    else:
        status = ImportRun.Status.REFUSED
    with transaction.atomic():
        run = ImportRun(
            kind=kind,
            source=source,
            original_name=name[:255],
            size=size,
            dry_run=dry_run,
            status=status,
            report=checked.report.as_json(),
            total=checked.report.rows,
            created_by=actor,
        )
        # A refused file is not kept: it may be the 100 MB that was refused for its size.
        if content is not None and status != ImportRun.Status.REFUSED:
            run.file.save(name, ContentFile(content), save=False)
            run.sha256 = hashlib.sha256(content).hexdigest()
        run.save()
        record_event(
            actor=actor,
            verb="import_run.created",
            target=run,
            after={
                "kind": kind,
                "name": run.original_name,
                "rows": checked.report.rows,
                "problems": checked.report.problem_count,
                "dry_run": dry_run,
                "status": status,
            },
        )
        if status == ImportRun.Status.QUEUED:
            enqueue(RUN_IMPORT, run.pk)
    return run


def create_import_run(*, actor, kind: str, upload, dry_run: bool = True) -> ImportRun:
    """Check an uploaded CSV or XLSX file row by row; unless it is a dry run or has problems, queue its import."""
    _require(actor)
    kind = _kind(kind)
    name = getattr(upload, "name", "") or "upload"
    size = upload.size
    if size > MAX_FILE_BYTES:
        # Refused before a byte is parsed.
        checked = _refused(f"The file is {size:,} bytes; at most {MAX_FILE_BYTES:,} are accepted.")
        return _open(
            actor=actor,
            kind=kind,
            name=name,
            content=None,
            checked=checked,
            dry_run=dry_run,
            source=ImportRun.Source.UPLOAD,
            size=size,
        )
    content = upload.read()
    checked = _check_bytes(kind, name, content)
    return _open(
        actor=actor,
        kind=kind,
        name=name,
        content=content,
        checked=checked,
        dry_run=dry_run,
        source=ImportRun.Source.UPLOAD,
        size=size,
    )


def create_import_from_records(*, actor, kind: str, records: list[Any], dry_run: bool = True) -> ImportRun:
    """Check records sent to the API (a JSON array or NDJSON, already parsed); unless a dry run, queue the import."""
    _require(actor, machine_allowed=True)
    kind = _kind(kind)
    content = json.dumps(records, default=str).encode()
    checked = _check_records(kind, records)
    return _open(
        actor=actor,
        kind=kind,
        name=f"api-{kind}.json",
        content=content,
        checked=checked,
        dry_run=dry_run,
        source=ImportRun.Source.API,
        size=len(content),
    )


def start_import_run(*, actor, run: ImportRun) -> ImportRun:
    """Import a file that passed its dry run, or resume one that stopped; the rows are checked again first."""
    _require(actor)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update(no_key=True).get(pk=run.pk)
        if locked.status not in (ImportRun.Status.CHECKED, ImportRun.Status.FAILED, ImportRun.Status.RUNNING):
            status = locked.get_status_display().lower()
            raise ValidationError({"status": f"This import is {status}; nothing to start."})
        if not locked.file:
            if locked.file_deleted_at is not None:
                raise ValidationError(
                    {
                        "file": f"This import's file was deleted on {locked.file_deleted_at:%Y-%m-%d} when its "
                        "retention ended; upload the file again."
                    }
                )
            raise ValidationError({"file": "This import has no file to read."})
        locked.status = ImportRun.Status.QUEUED
        locked.dry_run = False
        locked.error = ""
        locked.save(update_fields=["status", "dry_run", "error"])
        enqueue(RUN_IMPORT, locked.pk)
    return locked


def _rows_of(run: ImportRun) -> Checked:
    with run.file.open("rb") as stored:
        content = stored.read()
    if run.source == ImportRun.Source.API:
        return _check_records(run.kind, json.loads(content))
    return _check_bytes(run.kind, run.original_name, content)


def _fail(run_id: int, error: str, report: dict | None = None) -> ImportRun:
    with transaction.atomic():
        run = ImportRun.objects.select_for_update(no_key=True).get(pk=run_id)
        run.status = ImportRun.Status.FAILED
        run.error = error
        run.finished_at = timezone.now()
        fields = ["status", "error", "finished_at"]
        if report is not None:
            run.report = report
            fields.append("report")
        run.save(update_fields=fields)
        record_event(actor=run.created_by, verb="import_run.failed", target=run, after={"error": error[:500]})
    return run


def run_import(run_id: int) -> ImportRun:
    """Write a queued file's rows in committed chunks from where it stopped, then triage its subjects."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update(no_key=True).get(pk=run_id)
        if run.status not in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
            return run
        first_start = run.started_at is None
        run.status = ImportRun.Status.RUNNING
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "started_at"])
        if first_start:
            record_event(actor=run.created_by, verb="import_run.started", target=run, after={"kind": run.kind})
    # Checked again: what the rows refer to may have changed since the dry run.
    checked = _rows_of(run)
    if not checked.ok:
        return _fail(run.pk, "The file no longer passes its checks; see the report.", checked.report.as_json())
    writer = WRITERS[FileKind(run.kind)]
    counts = Counter(run.counts)
    try:
        for chunk in iter_chunks([row for row in checked.rows if row[0] > run.last_line], CHUNK):
            with transaction.atomic():
                written = writer(actor=run.created_by, rows=[values for _, values in chunk], source=run)
                _keep_for_screening(run, written)
                counts.update(written.as_counts())
                run.done = min(run.total, run.done + len(chunk))
                run.last_line = chunk[-1][0]
                run.counts = dict(counts)
                # Committed with the rows, so a stop between chunks resumes after this one.
                run.save(update_fields=["done", "last_line", "counts"])
        customers, persons = subjects_of(run.kind, checked.rows)
        triaged = triage_subjects(customers, persons, actor=None)
    except (ValidationError, PermissionDenied) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return _fail(run.pk, text)
    except Exception as error:
        # Recorded so the page says so; the chunks committed stay, and starting it again resumes after them.
        log.exception("import run %s failed", run.pk)
        return _fail(
            run.pk, f"The import stopped on an unexpected error ({type(error).__name__}); start it again to resume."
        )
    with transaction.atomic():
        run.status = ImportRun.Status.DONE
        run.finished_at = timezone.now()
        run.triaged = triaged
        run.done = run.total
        run.save(update_fields=["status", "finished_at", "triaged", "done"])
        record_event(
            actor=run.created_by,
            verb="import_run.finished",
            target=run,
            after={"kind": run.kind, "rows": run.total, **run.counts, "triaged": triaged},
        )
        # Queued after the import's own triage, so each screening's re-triage comes after it.
        queue_screening(run)
    return run


def _keep_for_screening(run: ImportRun, written: intake.Written) -> None:
    # What changes a subject's screening: customers' names and countries, their addresses, seats' names,
    # locations and statuses. Ownership edges name owners already screened as customers, or by name only.
    touched = [*written.created, *written.changed]
    if not touched:
        return
    if run.kind == FileKind.CUSTOMERS:
        record_to_screen(run, ImportScreeningChunk.Kind.CUSTOMER, touched)
    elif run.kind == FileKind.SEATS:
        record_to_screen(run, ImportScreeningChunk.Kind.PERSON, touched)
    elif run.kind == FileKind.ADDRESSES:
        customers = CustomerAddress.objects.filter(pk__in=touched).values_list("customer_id", flat=True)
        record_to_screen(run, ImportScreeningChunk.Kind.CUSTOMER, customers)


def subjects_of(kind: str, rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[int], list[int]]:
    """The ids of the customers and persons a file's rows are about, for triage."""
    if kind == FileKind.SEATS:
        return [], _person_ids(rows)
    if kind == FileKind.CUSTOMERS:
        external_ids = [v["external_id"] for _, v in rows]
        customers: list[int] = []
        for start in range(0, len(external_ids), CHUNK):
            chunk = external_ids[start : start + CHUNK]
            customers += Customer.objects.filter(external_id__in=chunk).values_list("pk", flat=True)
        return customers, []
    field = "owned_id" if kind == FileKind.OWNERSHIP else "customer_id"
    return sorted({v[field] for _, v in rows}), []


def _person_ids(rows: list[tuple[int, dict[str, Any]]]) -> list[int]:
    ids: list[int] = []
    for chunk in iter_chunks(rows, CHUNK):
        wanted = {(v["customer_id"], v["external_id"]) for _, v in chunk}
        found = Person.objects.filter(
            customer_id__in={c for c, _ in wanted}, external_id__in={e for _, e in wanted}
        ).values_list("pk", "customer_id", "external_id")
        ids += [pk for pk, customer_id, external_id in found if (customer_id, external_id) in wanted]
    return ids
