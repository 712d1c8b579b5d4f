from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action
from licensing.cases.filters import LicenceFilter
from licensing.cases.models import Licence, LicenceCondition
from licensing.cases.services import licences as services
from licensing.cases.workflow import LICENCE_MACHINE
from licensing.gateway.models import MeteredUsage
from licensing.parties.search import party_matches, with_party_names

from ..access import requires
from ..casefile import case_context, transition_view
from ..listing import Listing, Sort, render_listing


def _search(queryset, q):
    return with_party_names(queryset).filter(
        Q(number__icontains=q) | Q(customer__external_id__icontains=q) | party_matches(q)
    )


LICENCES = Listing(
    title="Licences",
    queryset=lambda request: Licence.objects.select_related("customer", "person", "item", "country", "application"),
    search=_search,
    search_label="Licence number, customer or person",
    # The same FilterSet as the API's list of licences.
    filterset=LicenceFilter,
    sorts=(
        Sort("number", "Number", ("number",)),
        Sort("until", "Valid until", ("valid_until",)),
        Sort("from", "Valid from", ("valid_from",)),
        Sort("customer", "Customer", ("customer__legal_name",)),
        Sort("status", "Status", ("status",)),
    ),
    default_sort="until",
    rows_template="web/licences/rows.html",
    csv_name="licences",
    csv_columns=(
        ("number", lambda lic: lic.number),
        ("status", lambda lic: lic.get_status_display()),
        ("customer", lambda lic: lic.customer.external_id),
        ("person", lambda lic: str(lic.person) if lic.person_id else ""),
        ("item", lambda lic: lic.item.code),
        ("activity", lambda lic: lic.get_activity_display()),
        ("country", lambda lic: lic.country_id),
        ("valid_from", lambda lic: lic.valid_from),
        ("valid_until", lambda lic: lic.valid_until),
        ("authorised_quantity", lambda lic: lic.authorised_quantity),
        ("quantity_used", lambda lic: lic.quantity_used),
        ("authorised_value", lambda lic: lic.authorised_value),
        ("value_used", lambda lic: lic.value_used),
        ("application", lambda lic: lic.application.reference),
    ),
)


@requires(Action.VIEW_CASES)
def licence_list(request):
    return render_listing(request, LICENCES)


def _licence(pk):
    return get_object_or_404(
        Licence.objects.select_related("customer", "person", "item", "country", "application__transaction"), pk=pk
    )


def _detail(request, licence, *, bound=None, status=200):
    context = {
        "licence": licence,
        "today": timezone.localdate(),
        "conditions": licence.conditions.select_related("acknowledged_by"),
        "transactions": licence.transactions.select_related("person").order_by("-requested_at")[:20],
        # What the gateway counted of a metered licence, as last reconciled (none before its first call).
        "metered_usage": MeteredUsage.objects.filter(licence=licence).first() if licence.is_metered else None,
        **case_context(request, licence, machine=LICENCE_MACHINE, bound=bound),
    }
    return render(request, "web/licences/detail.html", context, status=status)


@requires(Action.VIEW_CASES)
def licence_detail(request, pk):
    return _detail(request, _licence(pk))


def _change_status(name):
    # Every licence move goes through the one service; the machine refuses a name it does not know.
    def call(user, licence, arguments):
        return services.change_licence_status(
            actor=user, licence=licence, action=name, reason=arguments.get("reason", "")
        )

    return call


licence_transition = transition_view(
    machine=LICENCE_MACHINE,
    load=_licence,
    service_for=_change_status,
    show=_detail,
    detail_url="licence_detail",
)


# Acknowledging a rider is part of preparing and working the case.
@require_POST
@requires(Action.PREPARE_APPLICATION)
def licence_condition_acknowledge(request, pk, condition_pk):
    condition = get_object_or_404(LicenceCondition, pk=condition_pk, licence_id=pk)
    services.acknowledge_condition(actor=request.user, condition=condition)
    messages.success(request, f"Condition {condition.position} acknowledged.")
    return redirect("licence_detail", pk)
