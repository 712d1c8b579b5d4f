from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action
from licensing.cases.decision import live_decision
from licensing.cases.models import Decision, LicenceApplication, Transaction
from licensing.cases.replay import moment_asked, replay_decision
from licensing.cases.services.transactions import TransactionConflict, decide_transaction, record_transaction
from licensing.determinations.models import DeterminationTask
from licensing.parties.search import party_matches, with_party_names
from licensing.reference.models import Activity, ControlledItem

from ..access import requires
from ..casefile import case_context
from ..forms import show_errors
from ..forms.transactions import TransactionForm
from ..listing import Filter, Listing, Sort, render_listing


def _search(queryset, q):
    return with_party_names(queryset).filter(
        Q(external_id__icontains=q) | Q(customer__external_id__icontains=q) | party_matches(q)
    )


TRANSACTIONS = Listing(
    title="Transactions",
    queryset=lambda request: Transaction.objects.select_related(
        "customer", "person", "item", "destination_country", "licence"
    ),
    search=_search,
    search_label="Transaction id, customer or person",
    filters=(
        Filter("decision", "Decision", Decision.choices, lambda qs, v, r: qs.filter(decision=v)),
        Filter("activity", "Activity", Activity.choices, lambda qs, v, r: qs.filter(activity=v)),
        Filter(
            "item",
            "Item",
            lambda request: ControlledItem.objects.values_list("code", "name"),
            lambda qs, v, r: qs.filter(item__code=v),
        ),
    ),
    sorts=(
        Sort("requested", "Requested", ("requested_at",)),
        Sort("decided", "Decided", ("decided_at",)),
        Sort("decision", "Decision", ("decision",)),
        Sort("value", "Value", ("value",)),
    ),
    default_sort="-requested",
    rows_template="web/transactions/rows.html",
    csv_name="transactions",
    csv_columns=(
        ("billing_id", lambda t: t.external_id),
        ("customer", lambda t: t.customer.external_id),
        ("person", lambda t: t.person.external_id if t.person_id else ""),
        ("item", lambda t: t.item.code),
        ("activity", lambda t: t.get_activity_display()),
        ("destination", lambda t: t.destination_country_id),
        ("attributed_to", lambda t: t.attributed_country_id or ""),
        ("quantity", lambda t: t.quantity),
        ("value", lambda t: t.value),
        ("currency", lambda t: t.currency),
        ("requested_at", lambda t: t.requested_at.isoformat()),
        ("decision", lambda t: t.get_decision_display()),
        ("decided_at", lambda t: t.decided_at.isoformat() if t.decided_at else ""),
        ("reasons", lambda t: " | ".join(t.decision_reasons)),
        ("licence", lambda t: t.licence.number if t.licence_id else ""),
    ),
)


@requires(Action.VIEW_CASES)
def transaction_list(request):
    return render_listing(request, TRANSACTIONS, template="web/transactions/list.html")


@requires(Action.VIEW_CASES)
def transaction_detail(request, pk):
    record = get_object_or_404(
        Transaction.objects.select_related(
            "customer", "person", "item", "destination_country", "attributed_country", "licence"
        ),
        pk=pk,
    )
    live = live_decision(record)
    context = {
        "record": record,
        "live": live,
        "live_label": Decision(live.decision).label,
        "applications": LicenceApplication.objects.filter(transaction=record).select_related(
            "assigned_officer", "prepared_by"
        ),
        "tasks": DeterminationTask.objects.filter(opened_by_transaction=record).select_related(
            "customer", "person", "assigned_to"
        ),
        **case_context(request, record),
    }
    return render(request, "web/transactions/detail.html", context)


@requires(Action.VIEW_CASES)
def transaction_replay(request, pk):
    """Explain a decision as of its time: the one in force at `at`, or the latest, replayed on the facts of then."""
    record = get_object_or_404(Transaction.objects.select_related("customer", "person", "item"), pk=pk)
    asked = request.GET.get("at", "").strip()
    error = ""
    at = None
    if asked:
        try:
            at = moment_asked(asked)
        except ValueError as problem:
            error = f"At: {problem}"
    replay = None if error else replay_decision(record, at=at)
    context = {"record": record, "replay": replay, "asked": asked, "error": error}
    return render(request, "web/transactions/replay.html", context, status=400 if error else 200)


@requires(Action.DECIDE_TRANSACTION)
def transaction_create(request):
    form = TransactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record, created = record_transaction(
                actor=request.user, external_id=form.cleaned_data["external_id"], **form.service_fields()
            )
        except TransactionConflict as error:
            form.add_error("external_id", str(error))
        except ValidationError as error:
            show_errors(form, error, fields={"destination_country_id": "destination_country"})
        else:
            if created:
                messages.success(request, f"{record} recorded and decided: {record.get_decision_display()}.")
            else:
                messages.info(request, f"{record} was already recorded with these details; nothing changed.")
            return redirect("transaction_detail", record.pk)
    return render(request, "web/transactions/form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@requires(Action.DECIDE_TRANSACTION)
def transaction_decide(request, pk):
    record = get_object_or_404(Transaction, pk=pk)
    decided = decide_transaction(actor=request.user, transaction_record=record)
    messages.success(request, f"Decided again: {decided.get_decision_display()}.")
    return redirect("transaction_detail", record.pk)
