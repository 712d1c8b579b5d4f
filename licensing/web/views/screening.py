"""Browser pages: the hits queue, a hit with its adjudication, lists and imports, ad hoc search, a subject's results."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from licensing.accounts.permissions import Action, require, user_can
from licensing.audit.models import Event
from licensing.outbox.services import enqueue
from licensing.screening.loading import match_threshold
from licensing.screening.models import Feed, Hit, ListImport, ListVersion, Rescreen, SubjectKind, SubjectScreening
from licensing.screening.search import NoListInForce, search_name
from licensing.screening.services.adjudication import OUTCOMES, adjudicate_hit
from licensing.screening.services.imports import request_import
from licensing.screening.services.rescreen import start_rescreen
from licensing.screening.subjects import MODELS
from licensing.screening.tasks import screen_subject_task
from licensing.screening.workflow import HIT_MACHINE
from licensing.workflow.machine import TransitionError

from ..access import requires
from ..forms.screening import OUTCOME_LABELS, AdjudicationForm, ImportForm, SearchForm

# Past this many, the API's pages list the rest.
CHANGES_SHOWN = 300
TRANSITION_OUTCOMES = {name: outcome for outcome, name in OUTCOMES.items()}


@requires(Action.VIEW_CASES)
@require_GET
def queue(request):
    """Show the hits awaiting adjudication, oldest first, and the lists in force."""
    wanted = request.GET.get("status", "")
    hits = Hit.objects.select_related("entry__version", "customer", "person", "party", "proposed_by")
    if wanted in Hit.Status.values:
        hits = hits.filter(status=wanted)
    else:
        wanted = ""
        hits = hits.awaiting_adjudication()
    page = Paginator(hits.order_by("first_matched_at", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/queue.html",
        {
            "page": page,
            "status": wanted,
            "statuses": Hit.Status.choices,
            "in_force": ListVersion.objects.in_force().order_by("feed"),
            "rescreen": Rescreen.objects.first(),
        },
    )


@requires(Action.VIEW_CASES)
@require_GET
def hit_detail(request, pk):
    """Show a hit: the subject, the entry, the score and why, the history, and the moves the user may make."""
    hit = get_object_or_404(
        Hit.objects.select_related("entry__version", "customer", "person", "party", "proposed_by", "adjudicated_by"),
        pk=pk,
    )
    return render(request, "screening/hit_detail.html", _hit_context(request, hit, AdjudicationForm()))


def _hit_context(request, hit, form):
    moves = [t for t in HIT_MACHINE.available_transitions(hit, request.user) if t.name in TRANSITION_OUTCOMES]
    # Closing as no longer listed is for a hit whose entry left the lists.
    moves = [t for t in moves if t.name != "close_delisted" or hit.flagged_at is not None]
    # The form offers only the moves the table allows this user now.
    form.fields["outcome"].choices = [(o, OUTCOME_LABELS[o]) for o in (TRANSITION_OUTCOMES[t.name] for t in moves)]
    return {
        "hit": hit,
        "entry": hit.entry,
        "moves": moves,
        "form": form,
        "events": Event.objects.for_target(hit).select_related("actor").order_by("sequence"),
        "threshold": match_threshold(),
    }


@requires(Action.ADJUDICATE_SCREENING_HITS)
@require_POST
def hit_adjudicate(request, pk):
    """Record an adjudication of the hit."""
    hit = get_object_or_404(Hit.objects.select_related("entry__version"), pk=pk)
    form = AdjudicationForm(request.POST)
    if form.is_valid():
        try:
            adjudicate_hit(
                actor=request.user, hit=hit, outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"]
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Hit #{hit.pk}: {form.cleaned_data['outcome'].replace('_', ' ')} recorded.")
            return redirect("screening:hit", pk=hit.pk)
    return render(request, "screening/hit_detail.html", _hit_context(request, hit, form), status=400)


@requires(Action.VIEW_CASES)
def lists(request):
    """Show the list versions, the imports and re-screens; an administrator imports a list here."""
    form = None
    if user_can(request.user, Action.IMPORT_SCREENING_LISTS):
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    run = request_import(
                        actor=request.user,
                        feed=form.cleaned_data["feed"],
                        sources=form.sources(),
                        file_format=form.cleaned_data["file_format"],
                        published_on=form.cleaned_data["published_on"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return redirect("screening:import", pk=run.pk)
    elif request.method == "POST":
        require(request.user, Action.IMPORT_SCREENING_LISTS)
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "screening/lists.html",
        {
            "form": form,
            "versions": ListVersion.objects.select_related("imported_by")[:30],
            "imports": ListImport.objects.select_related("version", "requested_by")[:10],
            "rescreens": Rescreen.objects.select_related("version")[:5],
            "feeds": Feed.choices,
        },
        status=status,
    )


@requires(Action.VIEW_CASES)
@require_GET
def import_detail(request, pk):
    """Show an import's progress (the progress part refreshes itself while it runs)."""
    run = get_object_or_404(ListImport.objects.select_related("version__replaces", "requested_by"), pk=pk)
    template = (
        "screening/_import_progress.html" if request.headers.get("HX-Request") else "screening/import_detail.html"
    )
    changes, more = [], 0
    if run.version is not None and run.status == ListImport.Status.IMPORTED:
        found = run.version.changes.order_by("kind", "name", "pk")
        changes = list(found[:CHANGES_SHOWN])
        more = max(run.version.changes.count() - CHANGES_SHOWN, 0) if len(changes) == CHANGES_SHOWN else 0
    return render(request, template, {"run": run, "changes": changes, "more_changes": more})


@requires(Action.VIEW_CASES)
@require_GET
def rescreen_progress(request, pk):
    return render(request, "screening/_rescreen_progress.html", {"rescreen": get_object_or_404(Rescreen, pk=pk)})


@requires(Action.IMPORT_SCREENING_LISTS)
@require_POST
def rescreen_start(request):
    """Screen every customer, person and party again now."""
    rescreen = start_rescreen(actor=request.user, reason=f"requested by {request.user.get_username()}")
    messages.success(request, f"Re-screen #{rescreen.pk} of {rescreen.subjects} subjects started.")
    return redirect("screening:lists")


@requires(Action.SEARCH_SCREENING_LISTS)
@require_GET
def search(request):
    """Screen a name ad hoc."""
    form = SearchForm(request.GET or None)
    results, problem = None, ""
    if form.is_bound and form.is_valid():
        try:
            results = search_name(
                name=form.cleaned_data["name"],
                type=form.cleaned_data["type"],
                country=form.cleaned_data["country"],
            )
        except ValidationError as error:
            for field, text in error.message_dict.items():
                form.add_error(field if field in form.fields else None, text)
        except NoListInForce as error:
            problem = str(error)
    status = 400 if form.errors else (503 if problem else 200)
    return render(
        request,
        "screening/search.html",
        {"form": form, "results": results, "problem": problem, "threshold": match_threshold()},
        status=status,
    )


@requires(Action.VIEW_CASES)
def subject(request, kind, pk):
    """Show a customer's, person's or party's screening; a compliance officer may screen it again now."""
    if kind not in SubjectKind.values:
        raise Http404("No such kind of subject.")
    record = get_object_or_404(MODELS[kind], pk=pk)
    if request.method == "POST":
        require(request.user, Action.ADJUDICATE_SCREENING_HITS)
        enqueue(screen_subject_task, kind, record.pk)
        messages.success(request, f"{record} is being screened again.")
        return redirect("screening:subject", kind=kind, pk=pk)
    return render(
        request,
        "screening/subject.html",
        {
            "kind": kind,
            "record": record,
            "screening": SubjectScreening.objects.for_subject(record).first(),
            "hits": Hit.objects.for_subject(record).select_related("entry__version"),
            "can_screen": user_can(request.user, Action.ADJUDICATE_SCREENING_HITS),
        },
    )
