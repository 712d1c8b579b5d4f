"""Browser pages: an application's filings and retention, failed renders, export packages and downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.accounts.permissions import Action, require, user_can
from licensing.cases.models import LicenceApplication
from licensing.filings.models import ExportPackage, Filing, RetentionBlocked
from licensing.filings.services.filings import open_filing_for_download, request_filing, retry_filing
from licensing.filings.services.packages import open_package_for_download, request_export_package
from licensing.filings.services.retention import (
    destroy_filings,
    record_known_transfer,
    refresh_retention,
    release_legal_hold,
    set_legal_hold,
)

from ..access import requires
from ..forms.filings import REFERENCE, ExportPackageForm, GenerateFilingForm, KnownTransferForm, LegalHoldForm


def _show_refusal(form, error: ValidationError) -> None:
    """Put a service's refusal beside the form field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@requires(Action.VIEW_CASES)
@require_GET
def index(request):
    """List failed renders first, then the latest filings; jump to an application's filings."""
    wanted = request.GET.get("application", "").strip()
    if wanted:
        match = REFERENCE.match(wanted)
        if match and LicenceApplication.objects.filter(pk=int(match.group(1))).exists():
            return redirect("filings:application", pk=int(match.group(1)))
        messages.error(request, f"No application {wanted!r}.")
    filings = Filing.objects.select_related("application__customer", "requested_by")
    return render(
        request,
        "filings/index.html",
        {
            "failed": filings.failed().order_by("-failed_at")[:50],
            "recent": filings.order_by("-requested_at")[:50],
            "can_export": user_can(request.user, Action.DOWNLOAD_PACKAGES),
        },
    )


def _application_page(request, application, *, status=200, **forms):
    retention = refresh_retention(application=application)
    context = {
        "application": application,
        "filings": application.filings.select_related("requested_by").order_by("kind", "-version"),
        "retention": retention,
        "can_generate": user_can(request.user, Action.GENERATE_FILINGS),
        "can_manage_retention": user_can(request.user, Action.MANAGE_RETENTION),
        "can_destroy": (
            user_can(request.user, Action.DESTROY_RECORDS)
            and retention.blocks_destruction_on(timezone.localdate()) is None
        ),
        "generate_form": forms.get("generate_form") or GenerateFilingForm(),
        "hold_form": forms.get("hold_form") or LegalHoldForm(),
        "transfer_form": forms.get("transfer_form") or KnownTransferForm(),
    }
    return render(request, "filings/application.html", context, status=status)


def _get_application(pk: int) -> LicenceApplication:
    return get_object_or_404(LicenceApplication.objects.select_related("customer", "person"), pk=pk)


@requires(Action.VIEW_CASES)
@require_GET
def application_filings(request, pk: int):
    """Show every version of every document of an application, its retention, and the actions allowed."""
    return _application_page(request, _get_application(pk))


@requires(Action.GENERATE_FILINGS)
@require_POST
def generate(request, pk: int):
    application = _get_application(pk)
    form = GenerateFilingForm(request.POST)
    if form.is_valid():
        try:
            filing = request_filing(actor=request.user, application=application, kind=form.cleaned_data["kind"])
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, f"{filing} is queued; it appears here when rendered.")
            return redirect("filings:application", pk=pk)
    return _application_page(request, application, status=400, generate_form=form)


@login_required
@require_POST
def retry(request, pk: int):
    filing = get_object_or_404(Filing.objects.select_related("application"), pk=pk)
    try:
        retry_filing(actor=request.user, filing=filing)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{filing} is queued again.")
    return redirect("filings:application", pk=filing.application_id)


@login_required
@require_GET
def filing_pdf(request, pk: int):
    filing = get_object_or_404(Filing.objects.select_related("application"), pk=pk)
    try:
        handle = open_filing_for_download(actor=request.user, filing=filing)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain; charset=utf-8")
    return FileResponse(handle, as_attachment=True, filename=filing.download_name, content_type="application/pdf")


@requires(Action.MANAGE_RETENTION)
@require_POST
def legal_hold(request, pk: int, *, release: bool = False):
    application = _get_application(pk)
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        service = release_legal_hold if release else set_legal_hold
        try:
            service(actor=request.user, application=application, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, f"Legal hold {'released' if release else 'set'} on {application.reference}.")
            return redirect("filings:application", pk=pk)
    return _application_page(request, application, status=400, hold_form=form)


@requires(Action.MANAGE_RETENTION)
@require_POST
def known_transfer(request, pk: int):
    application = _get_application(pk)
    form = KnownTransferForm(request.POST)
    if form.is_valid():
        try:
            record_known_transfer(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, f"Transfer recorded; {application.reference}'s destroy-after date is updated.")
            return redirect("filings:application", pk=pk)
    return _application_page(request, application, status=400, transfer_form=form)


@requires(Action.DESTROY_RECORDS)
@require_POST
def destroy(request, pk: int):
    """Destroy the application's filing PDFs once its retention period has ended."""
    application = _get_application(pk)
    try:
        count = destroy_filings(actor=request.user, application=application)
    except RetentionBlocked as refusal:
        messages.error(request, f"Nothing was destroyed: {refusal}.")
    else:
        messages.success(request, f"{count} filing{'s' if count != 1 else ''} of {application.reference} destroyed.")
    return redirect("filings:application", pk=pk)


@requires(Action.DOWNLOAD_PACKAGES)
@require_http_methods(["GET", "POST"])
def exports(request):
    """List export packages and ask for a new one (legal staff and auditors)."""
    form = ExportPackageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request.user, Action.EXPORT_PACKAGES)
        if form.is_valid():
            try:
                package = request_export_package(actor=request.user, **form.selection())
            except ValidationError as error:
                _show_refusal(form, error)
            else:
                return redirect("filings:export", pk=package.pk)
        status = 400
    packages = ExportPackage.objects.select_related("requested_by")[:50]
    return render(request, "filings/exports.html", {"form": form, "packages": packages}, status=status)


@requires(Action.DOWNLOAD_PACKAGES)
@require_GET
def export_detail(request, pk: int):
    package = get_object_or_404(ExportPackage.objects.select_related("requested_by"), pk=pk)
    return render(request, "filings/export_detail.html", {"package": package})


@requires(Action.DOWNLOAD_PACKAGES)
@require_GET
def export_progress(request, pk: int):
    """The progress fragment the export page polls while the package is built."""
    package = get_object_or_404(ExportPackage, pk=pk)
    return render(request, "filings/_export_progress.html", {"package": package})


@login_required
@require_GET
def export_download(request, pk: int):
    package = get_object_or_404(ExportPackage, pk=pk)
    try:
        handle = open_package_for_download(actor=request.user, package=package)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain; charset=utf-8")
    return FileResponse(handle, as_attachment=True, filename=package.download_name, content_type="application/zip")
