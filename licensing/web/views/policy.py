"""Rule changes: the list, the draft form, a change with its simulation (table, chart, CSV), approval and withdrawal."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from licensing.accounts.permissions import Action, user_can
from licensing.policy import services
from licensing.policy.models import RuleChange, Simulation
from licensing.policy.simulator import COUNTS
from licensing.workflow.machine import IllegalTransition

from ..access import requires
from ..forms.policy import ApproveChangeForm, DraftChangeForm, WithdrawChangeForm

COUNT_LABELS = {
    "subjects": "Decided",
    "changed": "Changed",
    "released": "Released",
    "newly_refused": "Newly refused",
    "newly_held": "Newly held",
    "newly_licence_required": "Newly licence required",
    "licences_unnecessary": "Licences unnecessary",
    "applications_withdrawable": "Applications that could be withdrawn",
    "not_decided": "Not decided",
}
# The chart's stacked segments, in order, each with its colour (SVG attributes: the CSP allows no inline style).
CHART_SEGMENTS = (
    ("released", "#2e7d32"),
    ("newly_licence_required", "#1565c0"),
    ("newly_held", "#ef6c00"),
    ("newly_refused", "#c62828"),
)
CHART_COUNTRIES = 20
CHART_WIDTH, CHART_LABEL, CHART_ROW = 640, 60, 22


@requires(Action.VIEW_CASES)
@require_GET
def rule_change_list(request):
    return render(
        request,
        "policy/list.html",
        {
            "changes": RuleChange.objects.select_related("requirement", "drafted_by", "approved_by")[:200],
            "may_draft": user_can(request.user, Action.MANAGE_REFERENCE_DATA),
        },
    )


@requires(Action.MANAGE_REFERENCE_DATA)
def rule_change_create(request):
    """Draft a change; it is only a draft until a second administrator approves it."""
    form = DraftChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.draft_change(
                actor=request.user,
                kind=data["kind"],
                reason=data["reason"],
                requirement=data["requirement"],
                country_group_id=data["country_group"].pk if data["country_group"] else None,
                customers=data["customers"],
                item_id=data["item"].pk if data["item"] else None,
                title=data["title"],
                legal_basis=data["legal_basis"],
                scope=data["scope"],
                activities=data["activities"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Change {change.number} drafted. Run the simulator before approval.")
            return redirect(change)
    status = 400 if form.errors else 200
    return render(request, "policy/draft.html", {"form": form}, status=status)


@requires(Action.VIEW_CASES)
@require_GET
def rule_change_detail(request, pk):
    change = get_object_or_404(
        RuleChange.objects.select_related(
            "requirement", "country_group", "item", "drafted_by", "approved_by", "relaxation"
        ),
        pk=pk,
    )
    return render(request, "policy/detail.html", _detail_context(request, change))


def _detail_context(request, change: RuleChange, **forms) -> dict:
    simulation = change.simulations.first()
    admin = user_can(request.user, Action.MANAGE_REFERENCE_DATA)
    return {
        "change": change,
        "customers": change.customers.order_by("external_id")[:50],
        "simulation": simulation,
        "admin": admin,
        "may_approve": admin
        and change.status == RuleChange.Status.SIMULATED
        and change.drafted_by_id != request.user.pk,
        "approve_form": forms.get("approve_form") or ApproveChangeForm(initial={"effective_on": timezone.localdate()}),
        "withdraw_form": forms.get("withdraw_form") or WithdrawChangeForm(),
        **_results_context(simulation),
    }


def _results_context(simulation: Simulation | None) -> dict:
    if simulation is None or not simulation.results:
        return {"totals": [], "countries": [], "chart": None}
    totals = [(COUNT_LABELS[name], simulation.results["totals"].get(name, 0)) for name in COUNTS]
    by_country = simulation.results.get("by_country", {})
    countries = [
        (country, [counts.get(name, 0) for name in COUNTS])
        for country, counts in sorted(by_country.items(), key=lambda item: (-item[1].get("changed", 0), item[0]))
    ]
    return {
        "totals": totals,
        "countries": countries,
        "count_labels": [COUNT_LABELS[n] for n in COUNTS],
        "chart": _chart(by_country),
    }


def _chart(by_country: dict) -> dict | None:
    """A stacked bar per country of what changes (released, newly licence-required, held, refused), as SVG shapes."""
    changed = [
        (country, counts)
        for country, counts in by_country.items()
        if any(counts.get(name, 0) for name, _ in CHART_SEGMENTS)
    ]
    changed.sort(key=lambda item: (-sum(item[1].get(name, 0) for name, _ in CHART_SEGMENTS), item[0]))
    changed = changed[:CHART_COUNTRIES]
    if not changed:
        return None
    largest = max(sum(counts.get(name, 0) for name, _ in CHART_SEGMENTS) for _, counts in changed)
    scale = (CHART_WIDTH - CHART_LABEL - 60) / largest
    rows = []
    for index, (country, counts) in enumerate(changed):
        x, segments = CHART_LABEL, []
        for name, fill in CHART_SEGMENTS:
            count = counts.get(name, 0)
            if count:
                width = max(1.0, count * scale)
                segments.append(
                    {
                        "x": round(x, 1),
                        "width": round(width, 1),
                        "fill": fill,
                        "title": f"{country}: {count} {COUNT_LABELS[name].lower()}",
                    }
                )
                x += width
        total = sum(counts.get(name, 0) for name, _ in CHART_SEGMENTS)
        rows.append(
            {"country": country, "y": index * CHART_ROW, "segments": segments, "total": total, "end": round(x + 4, 1)}
        )
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": len(rows) * CHART_ROW + 4,
        "legend": [(fill, COUNT_LABELS[name]) for name, fill in CHART_SEGMENTS],
    }


@requires(Action.MANAGE_REFERENCE_DATA)
@require_POST
def rule_change_simulate(request, pk):
    change = get_object_or_404(RuleChange, pk=pk)
    try:
        simulation = services.request_simulation(actor=request.user, change=change)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Simulation #{simulation.pk} started.")
    return redirect(change)


@requires(Action.MANAGE_REFERENCE_DATA)
@require_POST
def rule_change_approve(request, pk):
    """Approve a simulated change from a date, as an administrator other than its drafter."""
    change = get_object_or_404(RuleChange, pk=pk)
    form = ApproveChangeForm(request.POST)
    if form.is_valid():
        try:
            approved = services.approve_change(
                actor=request.user, change=change, effective_on=form.cleaned_data["effective_on"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        except IllegalTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Change {approved.number} approved; it takes effect on {approved.effective_on}.")
            return redirect(approved)
    context = _detail_context(request, change, approve_form=form)
    return render(request, "policy/detail.html", context, status=400)


@requires(Action.MANAGE_REFERENCE_DATA)
@require_POST
def rule_change_withdraw(request, pk):
    change = get_object_or_404(RuleChange, pk=pk)
    form = WithdrawChangeForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_change(actor=request.user, change=change, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        except IllegalTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Change {change.number} withdrawn.")
            return redirect(change)
    return render(request, "policy/detail.html", _detail_context(request, change, withdraw_form=form), status=400)


@requires(Action.VIEW_CASES)
@require_GET
def simulation_progress(request, pk):
    simulation = get_object_or_404(Simulation.objects.select_related("change"), pk=pk)
    return render(request, "policy/_progress.html", {"simulation": simulation})


@requires(Action.VIEW_CASES)
@require_GET
def simulation_csv(request, pk):
    """The simulation's counts by country, then the subjects whose decision changes (the first kept)."""
    simulation = get_object_or_404(Simulation, pk=pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["country", *[COUNT_LABELS[name] for name in COUNTS]])
    for country, counts in simulation.results.get("by_country", {}).items():
        writer.writerow([_cell(country), *[counts.get(name, 0) for name in COUNTS]])
    writer.writerow([])
    writer.writerow(["subject", "customer", "item", "country", "before", "after", "reason"])
    for row in simulation.differences:
        writer.writerow(
            [_cell(row.get(key)) for key in ("subject", "customer", "item", "country", "before", "after", "reason")]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="simulation-{simulation.pk}.csv"'
    return response


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell that starts like a formula would run as one in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
    else:
        for text in error.messages:
            form.add_error(None, text)
