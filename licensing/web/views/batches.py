"""Batch pages: prepare determinations from accepted proposals, review a batch through its sample, approve it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.accounts.permissions import Action
from licensing.attestations.models import Attestation
from licensing.batches.models import BatchEntry, DeterminationBatch
from licensing.batches.services.preparation import start_batch
from licensing.batches.services.review import (
    accept_entry,
    approve_batch,
    open_entry,
    reject_entry,
    resume_approval,
    start_review,
    unopened_sample,
)
from licensing.restoration.models import Proposal

from ..access import requires
from ..forms import show_errors
from ..forms.batches import BATCH_BUCKETS, PrepareBatchForm, VerdictForm


def _waiting_per_bucket() -> list[tuple[str, str, int]]:
    accepted = Proposal.objects.current().accepted()
    return [(value, label, accepted.in_bucket(value).count()) for value, label in BATCH_BUCKETS]


@requires(Action.VIEW_CASES)
@require_GET
def batch_list(request):
    page = Paginator(DeterminationBatch.objects.select_related("prepared_by", "reviewer"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "batches/list.html",
        {"page": page, "form": PrepareBatchForm(), "waiting": _waiting_per_bucket()},
    )


@requires(Action.PREPARE_DETERMINATION)
@require_http_methods(["GET", "POST"])
def batch_prepare(request):
    """Prepare a batch of determinations from the accepted proposals of the chosen buckets."""
    form = PrepareBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = start_batch(
                actor=request.user,
                buckets=form.cleaned_data["buckets"],
                effective_on=form.cleaned_data["effective_on"],
                limit=form.cleaned_data["limit"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            return redirect("batches:detail", pk=batch.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "batches/list.html",
        {
            "page": Paginator(DeterminationBatch.objects.all(), 30).get_page(1),
            "form": form,
            "waiting": _waiting_per_bucket(),
        },
        status=status,
    )


@requires(Action.VIEW_CASES)
@require_GET
def batch_detail(request, pk: int):
    """A batch's progress, what was left out and why, and for its reviewer the sample checklist."""
    batch = get_object_or_404(DeterminationBatch.objects.select_related("prepared_by", "reviewer"), pk=pk)
    context = {
        "batch": batch,
        "counts": batch.counts(),
        "sample": batch.entries.filter(sampled=True).select_related("customer", "person", "opened_by"),
        "unopened": unopened_sample(batch).count(),
        "left_out": batch.entries.filter(state=BatchEntry.State.LEFT_OUT).select_related("customer", "person")[:200],
        "is_reviewer": batch.reviewer_id == request.user.pk,
        "may_review": batch.prepared_by_id != request.user.pk,
    }
    if request.headers.get("HX-Request"):
        return render(request, "batches/_progress.html", context)
    return render(request, "batches/detail.html", context)


@requires(Action.APPROVE_DETERMINATION)
@require_POST
def batch_start_review(request, pk: int):
    batch = get_object_or_404(DeterminationBatch, pk=pk)
    try:
        start_review(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("batches:detail", pk=pk)


@requires(Action.VIEW_CASES)
@require_GET
def batch_entry(request, pk: int, entry_pk: int):
    """A subject's review page; the batch's reviewer opening a sampled subject here is recorded."""
    entry = get_object_or_404(
        BatchEntry.objects.select_related("batch", "customer", "person", "determination", "proposal"),
        pk=entry_pk,
        batch_id=pk,
    )
    entry = open_entry(actor=request.user, entry=entry)
    subject = entry.subject
    return render(
        request,
        "batches/entry.html",
        {
            "entry": entry,
            "batch": entry.batch,
            "subject": subject,
            "determination": entry.determination,
            "proposal": entry.proposal,
            "attestations": Attestation.objects.for_subject(subject).submitted(),
            "form": VerdictForm(),
            "is_reviewer": entry.batch.reviewer_id == request.user.pk,
        },
    )


@requires(Action.APPROVE_DETERMINATION)
@require_POST
def batch_entry_verdict(request, pk: int, entry_pk: int):
    entry = get_object_or_404(BatchEntry.objects.select_related("batch"), pk=entry_pk, batch_id=pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or reject.")
        return redirect("batches:entry", pk=pk, entry_pk=entry_pk)
    try:
        if form.cleaned_data["verdict"] == "accept":
            accept_entry(actor=request.user, entry=entry)
        else:
            reject_entry(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
            messages.warning(request, "The batch is stopped; nothing in it will be approved.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("batches:entry", pk=pk, entry_pk=entry_pk)
    return redirect("batches:detail", pk=pk)


@requires(Action.APPROVE_DETERMINATION)
@require_POST
def batch_approve(request, pk: int):
    batch = get_object_or_404(DeterminationBatch, pk=pk)
    try:
        if batch.status == DeterminationBatch.Status.APPROVING:
            resume_approval(actor=request.user, batch=batch)
        else:
            approve_batch(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("batches:detail", pk=pk)
