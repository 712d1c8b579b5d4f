"""Import a list: read and check the files, load a new version, put it in force, then re-screen.

An import is a `ListImport` row so its progress can be watched from another
process. The files are checked completely before anything is written; the
new version's entries are loaded in chunks while the previous version stays
in force, and the switch happens in one short transaction at the end. A list
whose entries equal those in force creates nothing. A new version records
what it added, removed and changed against the one it replaces, and the
subjects those changes can affect are screened before everyone else.
"""

import datetime
import re
from collections import Counter
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.outbox import services as outbox

from ..importers import ListFormatError, ParsedEntry, list_digest
from ..importers.csl import merge_rows, read_csv, read_json
from ..importers.ofac import read_sdn
from ..importers.sources import display_name, read_source
from ..models import Feed, ListEntry, ListImport, ListVersion
from ..task_names import RUN_LIST_IMPORT, SCREEN_CHANGES_FIRST, START_RESCREEN
from .changes import record_changes

SOURCE_ROLES: dict[str, tuple[str, ...]] = {Feed.CSL: ("list",), Feed.OFAC_SDN: ("sdn", "alt", "add")}
FORMATS = ("", "csv", "json")
LOAD_CHUNK = 1000
# An import still "running" after this long was abandoned by a worker that died.
STALE_AFTER = datetime.timedelta(hours=2)
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

Progress = Callable[[ListImport], None]


def request_import(
    *,
    actor: User | None,
    feed: str,
    sources: dict[str, str],
    file_format: str = "",
    published_on: datetime.date | None = None,
    enqueue: bool = True,
) -> ListImport:
    """Queue an import of a feed from files or URLs; a Celery task runs it after commit unless `enqueue` is off."""
    if actor is not None and not user_can(actor, Action.IMPORT_SCREENING_LISTS):
        raise PermissionDenied(f"{actor} may not import restricted-party lists")
    if feed not in SOURCE_ROLES:
        raise ValidationError({"feed": f"Unknown feed {feed!r}; use one of {', '.join(Feed.values)}."})
    missing = [role for role in SOURCE_ROLES[feed] if not (sources.get(role) or "").strip()]
    if missing:
        raise ValidationError({"sources": f"Give a file or URL for: {', '.join(missing)}."})
    unknown = set(sources) - set(SOURCE_ROLES[feed])
    if unknown:
        raise ValidationError({"sources": f"{', '.join(sorted(unknown))} is not a file of this feed."})
    if file_format not in FORMATS:
        raise ValidationError({"file_format": "Use csv or json, or leave it empty to tell by the file."})
    with transaction.atomic():
        run = ListImport.objects.create(
            feed=feed,
            sources={role: sources[role].strip() for role in SOURCE_ROLES[feed]},
            file_format=file_format,
            published_on=published_on,
            requested_by=actor,
        )
        if enqueue:
            _enqueue(run.pk)
    return run


def _enqueue(import_id: int) -> None:
    outbox.enqueue(RUN_LIST_IMPORT, import_id)


def run_import(import_id: int, *, progress: Progress | None = None) -> ListImport:
    """Run a queued import to its end; running it again does nothing."""
    run = _claim(import_id)
    if run.status != ListImport.Status.RUNNING:
        return run
    version = None
    try:
        _step(run, "reading the files", progress)
        files = {role: read_source(location) for role, location in run.sources.items()}
        _step(run, "checking every row", progress)
        entries, row_count, counts = _parse(run, files)
        digest = list_digest(entries)
        current = ListVersion.objects.in_force().filter(feed=run.feed).first()
        if current is not None and current.digest == digest:
            return _finish(run, ListImport.Status.UNCHANGED, version=current, progress=progress)
        run.total = len(entries)
        version = _load(run, entries, row_count, counts, digest, progress)
        _step(run, "putting the new version in force", progress)
        _put_in_force(version, run)
        return _finish(run, ListImport.Status.IMPORTED, version=version, progress=progress)
    except ListFormatError as error:
        _discard(version)
        return _finish(run, ListImport.Status.FAILED, error=str(error), progress=progress)
    except Exception as error:
        _discard(version)
        _finish(run, ListImport.Status.FAILED, error=f"The import stopped: {error}", progress=progress)
        raise


def _claim(import_id: int) -> ListImport:
    with transaction.atomic():
        run = ListImport.objects.select_for_update(no_key=True).get(pk=import_id)
        if run.status != ListImport.Status.QUEUED:
            return run
        # One import per feed at a time: two would race to put their versions in force.
        running = (
            ListImport.objects.select_for_update(no_key=True)
            .filter(feed=run.feed, status=ListImport.Status.RUNNING, started_at__gt=timezone.now() - STALE_AFTER)
            .exclude(pk=run.pk)
            .first()
        )
        if running is not None:
            run.status = ListImport.Status.FAILED
            run.error = f"Import #{running.pk} of this feed is still running; import again when it has finished."
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            return run
        run.status = ListImport.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    return run


def _step(run: ListImport, phase: str, progress: Progress | None) -> None:
    run.phase = phase
    run.save(update_fields=["phase", "processed", "total"])
    if progress is not None:
        progress(run)


# Per list code: how many rows, entries, aliases and addresses were read.
Counts = dict[str, dict[str, int]]


def _parse(run: ListImport, files: dict[str, bytes]) -> tuple[list[ParsedEntry], int, Counts]:
    if run.feed == Feed.OFAC_SDN:
        names = tuple(display_name(run.sources[role]) for role in ("sdn", "alt", "add"))
        row_count, entries = read_sdn(files["sdn"], files["alt"], files["add"], names=names)
        per_list_rows = Counter({"SDN": row_count})
    else:
        location = run.sources["list"]
        data = files["list"]
        file_format = run.file_format or _format_of(location, data)
        reader = read_json if file_format == "json" else read_csv
        rows = reader(data, source=display_name(location))
        row_count = len(rows)
        per_list_rows = Counter(row.values["_list_code"] for row in rows)
        entries = merge_rows(rows)
    per_list_entries = Counter(entry.list_code for entry in entries)
    aliases: Counter[str] = Counter()
    addresses: Counter[str] = Counter()
    for entry in entries:
        aliases[entry.list_code] += len(entry.alt_names)
        addresses[entry.list_code] += len(entry.addresses)
    counts = {
        code: {"rows": per_list_rows.get(code, 0), "entries": n, "aliases": aliases[code], "addresses": addresses[code]}
        for code, n in per_list_entries.items()
    }
    return entries, row_count, counts


def _format_of(location: str, data: bytes) -> str:
    if location.lower().split("?")[0].endswith(".json"):
        return "json"
    if location.lower().split("?")[0].endswith(".csv"):
        return "csv"
    return "json" if data.lstrip()[:1] in (b"{", b"[") else "csv"


def _published_on(run: ListImport) -> datetime.date:
    if run.published_on:
        return run.published_on
    for location in run.sources.values():
        found = _DATE_IN_NAME.search(display_name(location))
        if found:
            try:
                return datetime.date(*map(int, found.groups()))
            except ValueError:
                continue
    return timezone.localdate()


def _load(
    run: ListImport,
    entries: list[ParsedEntry],
    row_count: int,
    counts: Counts,
    digest: str,
    progress: Progress | None,
) -> ListVersion:
    version = ListVersion.objects.create(
        feed=run.feed,
        published_on=_published_on(run),
        source="; ".join(run.sources.values())[:1000],
        digest=digest,
        row_count=row_count,
        entry_count=len(entries),
        counts=counts,
        imported_by=run.requested_by,
    )
    run.version = version
    run.save(update_fields=["version"])
    _step(run, "loading the entries", progress)
    for start in range(0, len(entries), LOAD_CHUNK):
        chunk = entries[start : start + LOAD_CHUNK]
        with transaction.atomic():
            ListEntry.objects.bulk_create(_entry_row(version, entry) for entry in chunk)
        run.processed = start + len(chunk)
        _step(run, "loading the entries", progress)
    return version


def _entry_row(version: ListVersion, entry: ParsedEntry) -> ListEntry:
    return ListEntry(
        version=version,
        key=entry.key,
        fingerprint=entry.fingerprint,
        list_code=entry.list_code,
        source=entry.source[:300],
        entity_number=entry.entity_number[:40],
        type=entry.type,
        name=entry.name,
        alt_names=list(entry.alt_names),
        addresses=list(entry.addresses),
        countries=list(entry.countries),
        programs=list(entry.programs),
        federal_register_notice=entry.federal_register_notice,
        license_requirement=entry.license_requirement,
        license_policy=entry.license_policy,
        remarks=entry.remarks,
        source_list_url=entry.source_list_url[:500],
        details=entry.details,
    )


def _put_in_force(version: ListVersion, run: ListImport) -> None:
    with transaction.atomic():
        previous = ListVersion.objects.select_for_update(no_key=True).in_force().filter(feed=version.feed).first()
        now = timezone.now()
        if previous is not None:
            previous.status = ListVersion.Status.SUPERSEDED
            previous.superseded_at = now
            previous.save(update_fields=["status", "superseded_at"])
        version.status = ListVersion.Status.IN_FORCE
        version.in_force_at = now
        version.replaces = previous
        try:
            with transaction.atomic():
                version.save(update_fields=["status", "in_force_at", "replaces"])
        except IntegrityError:
            raise ListFormatError("another version of this feed was put in force meanwhile; import again") from None
        changes = record_changes(version, previous)
        record_event(
            actor=run.requested_by,
            verb="screening.list_version_in_force",
            target=version,
            before={"version": previous.pk if previous else None, "digest": previous.digest if previous else None},
            after={
                "version": version.pk,
                "published_on": version.published_on,
                "source": version.source,
                "entries": version.entry_count,
                "counts": version.counts,
                "changes": changes,
            },
        )
        # The subjects the changes can affect first, then everyone: both run after commit, in this order.
        outbox.enqueue(SCREEN_CHANGES_FIRST, version.pk)
        _start_rescreen(version.pk)


def _start_rescreen(version_id: int) -> None:
    outbox.enqueue(START_RESCREEN, version_id)


def _discard(version: ListVersion | None) -> None:
    # A version that never came into force is of no use; its rows go, its record stays as failed.
    if version is None or version.status != ListVersion.Status.LOADING:
        return
    ListEntry.objects.filter(version=version).delete()
    version.status = ListVersion.Status.FAILED
    version.save(update_fields=["status"])


def _finish(
    run: ListImport,
    status: str,
    *,
    version: ListVersion | None = None,
    error: str = "",
    progress: Progress | None = None,
) -> ListImport:
    run.status = status
    run.error = error
    run.version = version or run.version
    run.finished_at = timezone.now()
    run.phase = "" if status != ListImport.Status.FAILED else run.phase
    run.save(update_fields=["status", "error", "version", "finished_at", "phase", "processed", "total"])
    if progress is not None:
        progress(run)
    return run
