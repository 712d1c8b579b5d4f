"""The legal export package: a ZIP of each application's case file, with a manifest.

An application's folder holds its data, events, determinations (with the
evidence they rest on, listed), licence and supporting documents, every
generated filing, and under `filed/` the versions filed with BIS, which carry
the SNAP-R control number; the manifest names the filed versions.

Every file's SHA-256 is computed while it is written into the archive and
listed in `manifest.json` and `SHA256SUMS` (the format `sha256sum -c` reads).
A filing whose stored file no longer matches the SHA-256 recorded when it
was generated stops the package: a package never carries a changed filing.
"""

import datetime
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, Transaction

from . import storage
from .case_records import MissingEvidenceFile, determinations_by_application, licence_records
from .models import ExportPackage, Filing, RetentionRecord
from .retention import retention_dates
from .snapshot import application_record, applications_with_related, as_json_bytes, licence_of, plain

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
# Already compressed: storing them saves the time deflating would cost.
STORED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".zip", ".gz", ".docx", ".xlsx")
BATCH = 50


class PackageIntegrityError(Exception):
    """A file that goes into the package is missing or no longer matches its recorded SHA-256."""


@dataclass
class ManifestEntry:
    path: str
    sha256: str
    size: int
    kind: str
    details: dict = field(default_factory=dict)


class PackageWriter:
    def __init__(self, archive: zipfile.ZipFile, moment: datetime.datetime):
        self.archive = archive
        self.date_time = timezone.localtime(moment).timetuple()[:6]
        self.entries: list[ManifestEntry] = []

    def _info(self, path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_STORED if path.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
        info.external_attr = 0o640 << 16
        return info

    def add_bytes(self, path: str, content: bytes, *, kind: str, **details) -> ManifestEntry:
        self.archive.writestr(self._info(path), content)
        entry = ManifestEntry(path, hashlib.sha256(content).hexdigest(), len(content), kind, details)
        self.entries.append(entry)
        return entry

    def add_file(self, path: str, stored_name: str | None, *, kind: str, **details) -> ManifestEntry:
        if not stored_name:
            raise PackageIntegrityError(f"{path}: no stored file is recorded")
        source = storage.media_path(stored_name)
        if not source.is_file():
            raise PackageIntegrityError(f"{path}: the stored file {stored_name} is missing")
        digest, size = hashlib.sha256(), 0
        with (
            source.open("rb") as reader,
            self.archive.open(self._info(path), "w", force_zip64=source.stat().st_size > 2**31) as writer,
        ):
            while chunk := reader.read(storage.CHUNK):
                digest.update(chunk)
                writer.write(chunk)
                size += len(chunk)
        entry = ManifestEntry(path, digest.hexdigest(), size, kind, details)
        self.entries.append(entry)
        return entry


def safe_name(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned[:100] or "file"


def event_histories(applications: list[LicenceApplication], filings: dict[int, list[Filing]]) -> dict[int, list[dict]]:
    """Return, per application, every event about it, its transaction, licence, filings and retention record."""
    owners: dict[tuple[type, str], int] = {}
    for application in applications:
        owners[(LicenceApplication, str(application.pk))] = application.pk
        owners[(Transaction, str(application.transaction_id))] = application.pk
        licence = licence_of(application)
        if licence is not None:
            owners[(Licence, str(licence.pk))] = application.pk
        for filing in filings.get(application.pk, ()):
            owners[(Filing, str(filing.pk))] = application.pk
    retention = RetentionRecord.objects.filter(application__in=applications).values_list("pk", "application_id")
    for pk, application_id in retention:
        owners[(RetentionRecord, str(pk))] = application_id
    content_types = {
        model: ContentType.objects.get_for_model(model)
        for model in (LicenceApplication, Transaction, Licence, Filing, RetentionRecord)
    }
    condition = Q(pk__in=[])
    for model, content_type in content_types.items():
        ids = [target_id for (owner_model, target_id) in owners if owner_model is model]
        if ids:
            condition |= Q(target_type=content_type, target_id__in=ids)
    models_by_type = {content_type.pk: model for model, content_type in content_types.items()}
    histories: dict[int, list[dict]] = {application.pk: [] for application in applications}
    for event in Event.objects.filter(condition).select_related("target_type"):
        owner = owners[(models_by_type[event.target_type_id], event.target_id)]
        histories[owner].append(_event_record(event))
    return histories


def _event_record(event: Event) -> dict:
    record = {}
    for model_field in Event._meta.concrete_fields:
        record[model_field.attname] = plain(getattr(event, model_field.attname))
    record["target_type"] = f"{event.target_type.app_label}.{event.target_type.model}"
    return record


def retention_statement(
    application: LicenceApplication, record: RetentionRecord | None, *, today: datetime.date
) -> dict:
    """Return how long the case's records are kept, from the computation its record and deadline read."""
    dates = retention_dates(application, today=today)
    return {
        "rule": "15 CFR 762.6",
        "computed_on": plain(today),
        "exported_on": plain(dates.exported_on),
        "known_transfer_on": plain(dates.known_transfer_on),
        "transaction_ended_on": plain(dates.transaction_ended_on),
        "starts_on": plain(dates.starts_on),
        "destroy_after_on": plain(dates.destroy_after_on),
        "basis": dates.basis,
        "explanation": dates.explanation(),
        "legal_hold": bool(record and record.legal_hold),
        "legal_hold_reason": record.legal_hold_reason if record is not None else "",
    }


def write_application(
    writer: PackageWriter,
    application: LicenceApplication,
    filings: list[Filing],
    events: list[dict],
    *,
    retention: dict,
    determinations: dict,
    licence: dict | None,
) -> None:
    folder = f"applications/{application.reference}"
    # The retention goes beside the data, not into the snapshot filings hash: it changes as the case does.
    writer.add_bytes(
        f"{folder}/application.json",
        as_json_bytes({**application_record(application), "retention": retention}),
        kind="application",
        application=application.reference,
    )
    writer.add_bytes(f"{folder}/events.json", as_json_bytes(events), kind="events", application=application.reference)
    writer.add_bytes(
        f"{folder}/determinations.json",
        as_json_bytes(determinations),
        kind="determinations",
        application=application.reference,
    )
    if licence is not None:
        writer.add_bytes(
            f"{folder}/licence.json", as_json_bytes(licence), kind="licence", application=application.reference
        )
    for filing in filings:
        # The filed versions stand apart: they are what BIS received.
        entry = writer.add_file(
            f"{folder}/{'filed' if filing.filed else 'filings'}/{filing.download_name}",
            filing.file.name,
            kind="filed_filing" if filing.filed else "filing",
            application=application.reference,
            filing=filing.pk,
            document=filing.kind,
            version=filing.version,
            filed=filing.filed,
            recorded_sha256=filing.sha256,
        )
        if entry.sha256 != filing.sha256:
            raise PackageIntegrityError(
                f"filing {filing.pk} ({filing}) does not match the SHA-256 recorded when it was generated; "
                "the stored file has changed"
            )
    for document in application.documents.all():
        writer.add_file(
            f"{folder}/documents/{document.pk}-{document.kind}-{safe_name(document.original_name)}",
            document.file.name,
            kind="supporting_document",
            application=application.reference,
            document=document.pk,
            original_name=document.original_name,
        )


def write_applications(writer: PackageWriter, application_ids: list[int], progress: Callable[[int], None]) -> None:
    # Read a batch at a time: a query per relation per batch, not per application.
    done = 0
    for start in range(0, len(application_ids), BATCH):
        batch = application_ids[start : start + BATCH]
        loaded = {a.pk: a for a in applications_with_related().filter(pk__in=batch)}
        applications = [loaded[pk] for pk in batch if pk in loaded]
        filings: dict[int, list[Filing]] = {}
        for filing in Filing.objects.ready().filter(application_id__in=batch).select_related("application"):
            filings.setdefault(filing.application_id, []).append(filing)
        for items in filings.values():
            items.sort(key=lambda f: (f.kind, f.version))
        histories = event_histories(applications, filings)
        records = {record.application_id: record for record in RetentionRecord.objects.filter(application_id__in=batch)}
        try:
            determinations = determinations_by_application(applications)
        except MissingEvidenceFile as missing:
            raise PackageIntegrityError(str(missing)) from None
        licences = licence_records(applications)
        for application in applications:
            retention = retention_statement(application, records.get(application.pk), today=timezone.localdate())
            write_application(
                writer,
                application,
                filings.get(application.pk, []),
                histories[application.pk],
                retention=retention,
                determinations=determinations[application.pk],
                licence=licences.get(application.pk),
            )
            done += 1
            progress(done)


def write_package(
    handle: BinaryIO,
    package: ExportPackage,
    application_ids: Iterable[int],
    *,
    progress: Callable[[int], None] = lambda done: None,
) -> list[ManifestEntry]:
    """Write the whole package into `handle`; report progress after each application."""
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        writer = PackageWriter(archive, package.requested_at)
        write_applications(writer, list(application_ids), progress)
        manifest = {
            "package": {
                "id": package.pk,
                "requested_by": package.requested_by.get_username(),
                "requested_at": plain(package.requested_at),
                "selection": package.selection,
                "applications": sorted(
                    {e.details["application"] for e in writer.entries if "application" in e.details}
                ),
                "filed_versions": [e.path for e in writer.entries if e.kind == "filed_filing"],
                "file_count": len(writer.entries),
                "algorithm": "SHA-256",
            },
            "files": [
                {"path": e.path, "sha256": e.sha256, "size": e.size, "kind": e.kind, **e.details}
                for e in writer.entries
            ],
        }
        entries = list(writer.entries)
        checksums = "".join(f"{e.sha256}  {e.path}\n" for e in entries).encode()
        writer.add_bytes(MANIFEST, as_json_bytes(manifest), kind="manifest")
        writer.add_bytes(CHECKSUMS, checksums, kind="checksums")
    return entries
