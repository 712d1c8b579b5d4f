"""Restoration pages: bulk intake with its dry-run report and progress, the triage buckets, the campaign in figures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from licensing.accounts.permissions import Action, user_can
from licensing.restoration import figures
from licensing.restoration.models import Bucket, ImportRun, Proposal
from licensing.restoration.services.imports import create_import_run, start_import_run
from licensing.restoration.services.triage import accept_proposals, move_proposal

from ..access import requires
from ..charts import bucket_chart
from ..forms import show_errors
from ..forms.restoration import ImportForm, MoveForm
from ..listing import Filter, Listing, Sort, filtered, render_listing


@requires(Action.VIEW_CASES)
@require_GET
def overview(request):
    """The campaign: subjects per bucket now and over time, intake to restored, who is still held."""
    days = figures.buckets_over_time(days=30)
    counts = figures.bucket_counts()
    return render(
        request,
        "restoration/overview.html",
        {
            "buckets": [(value, label, counts[value]) for value, label in Bucket.choices],
            "chart": bucket_chart(days),
            "days": days,
            "durations": figures.intake_to_restored(),
            "held": figures.held().count(),
            "imports": ImportRun.objects.select_related("created_by")[:10],
            "can_import": user_can(request.user, Action.EDIT_PARTIES),
        },
    )


@requires(Action.EDIT_PARTIES)
@require_http_methods(["GET", "POST"])
def import_new(request):
    """Upload a file of the book; a dry run reports every row's problems and writes nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = create_import_run(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            return redirect("restoration:import", run.pk)
    return render(request, "restoration/import_new.html", {"form": form})


@requires(Action.VIEW_CASES)
@require_GET
def import_detail(request, pk):
    """A file's dry-run report and import progress (the progress part refreshes itself while it runs)."""
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    template = "restoration/_import_progress.html" if request.headers.get("HX-Request") else "restoration/import.html"
    screened, to_screen = run.screening_progress()
    context = {
        "run": run,
        "can_import": user_can(request.user, Action.EDIT_PARTIES),
        "screened": screened,
        "to_screen": to_screen,
        # The page refreshes itself while the import, or the screening of what it wrote, is under way.
        "working": not run.finished or screened < to_screen,
    }
    return render(request, template, context)


@requires(Action.EDIT_PARTIES)
@require_POST
def import_start(request, pk):
    """Import a file that passed its dry run, or resume one that stopped."""
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        start_import_run(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, f"Import #{run.pk} is queued.")
    return redirect("restoration:import", run.pk)


def _search(queryset, text):
    return queryset.filter(
        Q(customer__legal_name__icontains=text)
        | Q(customer__external_id=text)
        | Q(person__family_name__icontains=text)
        | Q(person__given_name__icontains=text)
        | Q(person__external_id=text)
    )


def _why(proposal: Proposal) -> str:
    return "; ".join(f"{r['fact']}: {r['value']}" for r in proposal.reasons)


def _name(proposal: Proposal) -> str:
    return str(proposal.subject)


def _billing_id(proposal: Proposal) -> str:
    return proposal.subject.external_id


SUBJECT_KINDS = [("customer", "Customers"), ("person", "Persons (seats)")]
STANDINGS = [("held", "Still held"), ("accepted", "Accepted"), ("moved", "Moved by an officer")]


def _standing(queryset, value, request):
    if value == "held":
        return queryset.filter(pk__in=figures.held().values("pk"))
    if value == "accepted":
        return queryset.accepted()
    return queryset.filter(moved_by__isnull=False)


TRIAGE = Listing(
    title="Triage",
    queryset=lambda request: Proposal.objects.current().select_related(
        "customer", "person", "attribution_country", "moved_by"
    ),
    search=_search,
    search_label="Name or billing id",
    filters=(
        Filter("bucket", "Bucket", Bucket.choices, lambda qs, v, r: qs.in_bucket(v)),
        Filter("kind", "Subject", SUBJECT_KINDS, lambda qs, v, r: qs.customers() if v == "customer" else qs.persons()),
        Filter("standing", "Standing", STANDINGS, _standing),
    ),
    sorts=(
        Sort("proposed", "Proposed", ("proposed_at",)),
        Sort("bucket", "Bucket", ("bucket",)),
    ),
    default_sort="-proposed",
    rows_template="restoration/triage_rows.html",
    csv_name="triage",
    csv_columns=(
        ("subject", lambda p: "person" if p.person_id else "customer"),
        ("billing_id", _billing_id),
        ("name", _name),
        ("bucket", lambda p: p.get_bucket_display()),
        ("proposed_by_rules", lambda p: p.get_rule_bucket_display()),
        ("attribution_country", lambda p: p.attribution_country_id),
        ("why", _why),
        ("moved_by", lambda p: p.moved_by),
        ("move_reason", lambda p: p.move_reason),
        ("proposed_at", lambda p: p.proposed_at.isoformat()),
        ("accepted_at", lambda p: p.accepted_at.isoformat() if p.accepted_at else ""),
    ),
    extra_context=lambda request: {
        "can_accept": user_can(request.user, Action.PREPARE_DETERMINATION),
        "accept_url": reverse("restoration:accept"),
    },
)


@requires(Action.VIEW_CASES)
@require_GET
def triage_list(request):
    """Subjects by bucket, each with the facts that put it there; CSV of every matching row."""
    return render_listing(request, TRIAGE, template="restoration/triage.html")


@requires(Action.VIEW_CASES)
@require_GET
def proposal_detail(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("customer", "person", "attribution_country", "rule_set", "moved_by"), pk=pk
    )
    history = Proposal.objects.for_subject(proposal.subject).select_related("moved_by", "accepted_by", "rule_set")
    form = MoveForm(initial={"bucket": proposal.bucket})
    return render(request, "restoration/proposal.html", _proposal_context(request, proposal, history, form))


def _proposal_context(request, proposal, history, form):
    return {
        "proposal": proposal,
        "history": history,
        "form": form,
        "can_move": proposal.is_current and user_can(request.user, Action.PREPARE_DETERMINATION),
    }


@requires(Action.PREPARE_DETERMINATION)
@require_POST
def proposal_move(request, pk):
    """Put the subject in another bucket, saying why."""
    proposal = get_object_or_404(Proposal, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            bucket, reason = form.cleaned_data["bucket"], form.cleaned_data["reason"]
            moved = move_proposal(actor=request.user, proposal=proposal, bucket=bucket, reason=reason)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{moved.subject} moved to {moved.get_bucket_display()}.")
            return redirect("restoration:proposal", moved.pk)
    history = Proposal.objects.for_subject(proposal.subject).select_related("moved_by", "accepted_by", "rule_set")
    return render(request, "restoration/proposal.html", _proposal_context(request, proposal, history, form), status=422)


@requires(Action.PREPARE_DETERMINATION)
@require_POST
def accept(request):
    """Accept one proposal, or every current proposal the triage list's filters show."""
    one = request.POST.get("proposal", "")
    if one:
        proposals = Proposal.objects.filter(pk=one) if one.isdigit() else Proposal.objects.none()
        back = reverse("restoration:proposal", args=[one]) if one.isdigit() else reverse("restoration:triage")
    else:
        # The list the officer was looking at: its filters ride on the form's address.
        proposals, chosen = filtered(TRIAGE, request)
        back = f"{reverse('restoration:triage')}?{request.GET.urlencode()}"
        if "bucket" not in chosen:
            messages.error(request, "Choose a bucket first: proposals are accepted a bucket at a time.")
            return redirect(back)
    accepted = accept_proposals(actor=request.user, proposals=proposals)
    messages.success(request, f"{accepted} proposal(s) accepted; batches of determinations can be prepared from them.")
    return redirect(back)
