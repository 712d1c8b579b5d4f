"""Legal export packages: choose applications, build the ZIP in the background, hand it to legal and audit."""

import datetime
import time
from typing import BinaryIO, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.cases.models import LicenceApplication
from licensing.parties.models import Customer

from .. import storage
from ..models import ExportPackage
from ..packages import ManifestEntry, write_package
from ..task_names import BUILD_EXPORT_PACKAGE
from .generated_files import enqueue, open_logged, publish_once

DEFAULT_MAX_APPLICATIONS = 5000
# Progress is written at most this often, so a large package does not spend its time on updates.
PROGRESS_INTERVAL_SECONDS = 0.5


def max_applications() -> int:
    return int(getattr(settings, "FILINGS_EXPORT_MAX_APPLICATIONS", DEFAULT_MAX_APPLICATIONS))


class Selection(TypedDict, total=False):
    """What a package holds: the applications named, or those a customer, statuses and a period select."""

    application_ids: list[int] | None
    customer: Customer | None
    statuses: list[str] | None
    created_from: datetime.date | None
    created_to: datetime.date | None


def resolve_selection(
    *,
    application_ids: list[int] | None = None,
    customer: Customer | None = None,
    statuses: list[str] | None = None,
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
) -> tuple[dict[str, object], list[int]]:
    """Turn a selection into a description and the ids of the applications it names, refusing bad ones."""
    filters = {"customer": customer, "status": statuses, "created_from": created_from, "created_to": created_to}
    given = {name: value for name, value in filters.items() if value not in (None, [], "")}
    if application_ids and given:
        raise ValidationError({"applications": "Give either a list of applications or a filter, not both."})
    if not application_ids and not given:
        raise ValidationError(
            {"applications": "Choose what to export: a list of applications, or a customer, statuses or a period."}
        )
    if application_ids:
        wanted = sorted(set(application_ids))
        found = set(LicenceApplication.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = [pk for pk in wanted if pk not in found]
        if unknown:
            raise ValidationError(
                {"applications": f"No application with id {', '.join(str(pk) for pk in unknown[:20])}."}
            )
        return {"applications": wanted}, wanted
    unknown_statuses = sorted(set(statuses or ()) - set(LicenceApplication.Status.values))
    if unknown_statuses:
        raise ValidationError({"status": f"Unknown status {', '.join(unknown_statuses)}."})
    if created_from and created_to and created_to < created_from:
        raise ValidationError({"created_to": "The period ends before it starts."})
    queryset = LicenceApplication.objects.all()
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if created_from:
        queryset = queryset.filter(created_at__date__gte=created_from)
    if created_to:
        queryset = queryset.filter(created_at__date__lte=created_to)
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    description = {
        "customer": customer.external_id if customer is not None else None,
        "status": sorted(statuses) if statuses else None,
        "created_from": created_from.isoformat() if created_from else None,
        "created_to": created_to.isoformat() if created_to else None,
    }
    if not ids:
        raise ValidationError({"applications": "The filter matches no applications."})
    return {key: value for key, value in description.items() if value is not None}, ids


def request_export_package(*, actor: User | None, **selection: Unpack[Selection]) -> ExportPackage:
    """Record a package request for a selection of applications; it is built after commit."""
    if actor is None or not user_can(actor, Action.EXPORT_PACKAGES):
        raise PermissionDenied(f"{actor} may not export packages; legal staff and auditors may")
    description, ids = resolve_selection(**selection)
    limit = max_applications()
    if len(ids) > limit:
        raise ValidationError(
            {"applications": f"The selection names {len(ids)} applications; a package holds at most {limit}."}
        )
    with transaction.atomic():
        package = ExportPackage.objects.create(
            requested_by=actor, selection=description, application_ids=ids, total=len(ids)
        )
        record_event(
            actor=actor,
            verb="export_package.requested",
            target=package,
            after={"selection": description, "applications": len(ids)},
        )
        package_id = package.pk
        transaction.on_commit(lambda: enqueue_build(package_id))
    return package


def enqueue_build(package_id: int) -> None:
    enqueue(BUILD_EXPORT_PACKAGE, model=ExportPackage, record_id=package_id)


def build_package(*, package_id: int) -> ExportPackage:
    """Build a requested package once, writing progress as it goes; a failure is recorded and raised again."""
    with transaction.atomic():
        package = ExportPackage.objects.select_for_update(no_key=True).select_related("requested_by").get(pk=package_id)
        if package.status == ExportPackage.Status.READY:
            return package
        ExportPackage.objects.filter(pk=package_id).update(
            status=ExportPackage.Status.BUILDING,
            done=0,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            error="",
        )
    last_write = [0.0]

    def progress(done: int) -> None:
        now = time.monotonic()
        if done == package.total or now - last_write[0] >= PROGRESS_INTERVAL_SECONDS:
            ExportPackage.objects.filter(pk=package_id).update(done=done)
            last_write[0] = now

    entries: list[ManifestEntry] = []

    def write(handle: BinaryIO) -> None:
        entries.extend(write_package(handle, package, package.application_ids, progress=progress))

    def ready(name: str) -> tuple[dict[str, object], dict[str, object]]:
        sha256, size = storage.file_sha256(name)
        fields = {
            "sha256": sha256,
            "size_bytes": size,
            "file_count": len(entries),
            "done": package.total,
            "completed_at": timezone.now(),
        }
        return fields, {"sha256": sha256, "size": size, "files": len(entries), "applications": package.total}

    try:
        return publish_once(
            model=ExportPackage,
            record_id=package_id,
            directory="exports",
            stem=f"package-{package.pk}",
            suffix=".zip",
            write=write,
            ready=ready,
            verb="export_package.built",
        )
    except Exception as error:
        _record_failure(package_id, error)
        raise


def _record_failure(package_id: int, error: Exception) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        package = ExportPackage.objects.select_for_update(no_key=True).get(pk=package_id)
        if package.status == ExportPackage.Status.READY:
            return
        ExportPackage.objects.filter(pk=package_id).update(status=ExportPackage.Status.FAILED, error=message)
        record_event(actor=None, verb="export_package.failed", target=package, after={"error": message})


def open_package_for_download(*, actor: User | None, package: ExportPackage) -> BinaryIO:
    """Return the package's file, open, for a permitted user, logging the download."""
    if not user_can(actor, Action.DOWNLOAD_PACKAGES):
        raise PermissionDenied(f"{actor} may not download export packages; legal staff and auditors may")
    if package.status != ExportPackage.Status.READY:
        raise ValidationError({"package": f"{package} is {package.get_status_display().lower()}, not ready."})
    return open_logged(package, actor=actor, verb="export_package.downloaded")
