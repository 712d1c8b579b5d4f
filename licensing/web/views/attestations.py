"""Attestation pages: the customer's form behind a signed link (no sign-in), and the officers' sending and review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.accounts.lockout import client_address
from licensing.accounts.permissions import Action
from licensing.attestations.models import Attestation, AttestationDocument, AttestationSendRun
from licensing.attestations.services.access import LinkRefused, usable_attestation, view_attestation
from licensing.attestations.services.documents import open_attestation_document
from licensing.attestations.services.sending import revoke_attestation, send_attestation, start_send_run
from licensing.attestations.services.submission import submit_attestation
from licensing.audit.models import Event
from licensing.parties.models import Customer, Person
from licensing.restoration.models import Bucket, Proposal
from licensing.security.uploads import served_type

from ..access import requires
from ..forms import show_errors
from ..forms.attestations import (
    CITIZENSHIP_ROWS,
    DOCUMENT_ROWS,
    OWNER_ROWS,
    RESIDENCY_ROWS,
    AttestationForm,
    RevokeForm,
    SendLinkForm,
)

SUBJECTS = ("customer", "person")


def _refused(request, refusal: LinkRefused):
    return render(request, "attestations/refused.html", {"message": str(refusal)}, status=refusal.status)


def _form_context(form: AttestationForm, attestation: Attestation) -> dict:
    context = {"form": form, "attestation": attestation, "subject": attestation.subject}
    if form.about_person:
        context["citizenship_rows"] = form.rows("citizenship", CITIZENSHIP_ROWS, "country", "since")
        context["residency_rows"] = form.rows("residency", RESIDENCY_ROWS, "country", "since")
    else:
        context["owner_rows"] = form.rows("owner", OWNER_ROWS, "name", "country", "percentage")
    context["document_rows"] = form.rows("document", DOCUMENT_ROWS, "kind", "file")
    return context


@require_http_methods(["GET", "POST"])
def attestation_form(request, value: str):
    """The customer's form, opened from the e-mailed link; a refused link gets a plain page saying why."""
    address = client_address(request)
    try:
        if request.method == "GET":
            attestation = view_attestation(value, client_address=address)
            form = AttestationForm(about_person=attestation.asks_about_a_person)
            return render(request, "attestations/form.html", _form_context(form, attestation))
        # The form's shape depends on the subject, read without counting a view.
        attestation = usable_attestation(value, client_address=address)
        form = AttestationForm(request.POST, request.FILES, about_person=attestation.asks_about_a_person)
        if form.is_valid():
            try:
                submit_attestation(
                    value=value,
                    client_address=address,
                    answers=form.answers(),
                    signed_name=form.cleaned_data["signed_name"],
                    signed_title=form.cleaned_data["signed_title"],
                    documents=form.documents(),
                )
            except ValidationError as error:
                show_errors(form, error, fields=_ANSWER_FIELDS)
            else:
                return render(request, "attestations/thanks.html", {"attestation": attestation})
        return render(request, "attestations/form.html", _form_context(form, attestation), status=400)
    except LinkRefused as refusal:
        return _refused(request, refusal)


# Where a service's field error is shown on the form.
_ANSWER_FIELDS = {
    "citizenships": "citizenship_1_country",
    "permanent_residencies": "residency_1_country",
    "owners": "owner_1_name",
    "documents": "document_1_file",
}


@requires(Action.VIEW_CASES)
@require_GET
def attestation_list(request):
    """Every link sent, newest first, with the bulk runs and the bucket waiting for attestation."""
    wanted = request.GET.get("status", "")
    attestations = Attestation.objects.select_related("customer", "person")
    if wanted in Attestation.Status.values:
        attestations = attestations.filter(status=wanted)
    page = Paginator(attestations, 50).get_page(request.GET.get("page"))
    waiting = Proposal.objects.current().in_bucket(Bucket.NEEDS_ATTESTATION).count()
    return render(
        request,
        "attestations/list.html",
        {
            "page": page,
            "status": wanted,
            "statuses": Attestation.Status.choices,
            "runs": AttestationSendRun.objects.select_related("requested_by")[:10],
            "waiting": waiting,
        },
    )


@requires(Action.VIEW_CASES)
@require_GET
def attestation_detail(request, pk: int):
    attestation = get_object_or_404(Attestation.objects.select_related("customer", "person", "sent_by"), pk=pk)
    return render(
        request,
        "attestations/detail.html",
        {
            "attestation": attestation,
            "documents": attestation.documents.all(),
            "events": Event.objects.for_target(attestation).order_by("occurred_at", "pk"),
            "revoke_form": RevokeForm(),
        },
    )


@requires(Action.EDIT_PARTIES)
@require_POST
def attestation_revoke(request, pk: int):
    attestation = get_object_or_404(Attestation, pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            revoke_attestation(actor=request.user, attestation=attestation, reason=form.cleaned_data["reason"])
            messages.success(request, f"{attestation} revoked; its link no longer opens.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Say why the link is revoked.")
    return redirect("attestations:detail", pk=pk)


@requires(Action.EDIT_PARTIES)
@require_POST
def attestation_send(request, kind: str, pk: int):
    """Send one subject a link, to its own address or the one given."""
    if kind not in SUBJECTS:
        return render(request, "attestations/refused.html", {"message": "No such kind of subject."}, status=404)
    subject: Customer | Person = (
        get_object_or_404(Person, pk=pk) if kind == "person" else get_object_or_404(Customer, pk=pk)
    )
    form = SendLinkForm(request.POST)
    if form.is_valid():
        try:
            attestation = send_attestation(
                actor=request.user, subject=subject, contact_email=form.cleaned_data["contact_email"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Link sent to {attestation.contact_email}.")
            return redirect("attestations:detail", pk=attestation.pk)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("attestations:list")


@requires(Action.EDIT_PARTIES)
@require_POST
def attestation_send_bucket(request):
    """Send links to every subject triage put in the needs-attestation bucket and not already holding an open link."""
    proposals = Proposal.objects.current().in_bucket(Bucket.NEEDS_ATTESTATION).select_related("customer", "person")
    open_customers = set(
        Attestation.objects.unanswered().filter(person__isnull=True).values_list("customer_id", flat=True)
    )
    open_persons = set(
        Attestation.objects.unanswered().filter(person__isnull=False).values_list("person_id", flat=True)
    )
    subjects = [
        p.subject
        for p in proposals.order_by("pk")
        if (p.person_id and p.person_id not in open_persons)
        or (not p.person_id and p.customer_id not in open_customers)
    ]
    try:
        run = start_send_run(actor=request.user, subjects=subjects)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " (everyone in the bucket already has an open link)")
        return redirect("attestations:list")
    return redirect("attestations:run", pk=run.pk)


@requires(Action.VIEW_CASES)
@require_GET
def attestation_run(request, pk: int):
    """A bulk send's progress (the progress part refreshes itself while it runs)."""
    run = get_object_or_404(AttestationSendRun.objects.select_related("requested_by"), pk=pk)
    template = "attestations/_run_progress.html" if request.headers.get("HX-Request") else "attestations/run.html"
    return render(request, template, {"run": run})


@requires(Action.VIEW_EVIDENCE)
@require_GET
def attestation_document(request, pk: int, document_pk: int):
    document = get_object_or_404(
        AttestationDocument.objects.select_related("attestation"), pk=document_pk, attestation_id=pk
    )
    handle = open_attestation_document(actor=request.user, document=document)
    return FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=served_type(handle))
