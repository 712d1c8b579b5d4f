from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action
from licensing.cases.models import Transaction
from licensing.cases.ownership_chain import ownership_standing
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination
from licensing.parties import services
from licensing.parties.filters import CustomerFilter
from licensing.parties.models import Customer
from licensing.parties.search import customer_name, name_matches

from ..access import requires
from ..casefile import case_context
from ..forms import show_errors
from ..forms.parties import AddressForm, CustomerForm, CustomerStatusForm, OwnershipForm
from ..listing import Listing, Sort, render_listing


def _search(queryset, q):
    # Accents ignored: "Universitat" finds Universität.
    return queryset.alias(folded_name=customer_name()).filter(name_matches(q) | Q(external_id__icontains=q))


CUSTOMERS = Listing(
    title="Customers",
    queryset=lambda request: Customer.objects.select_related("country_of_incorporation", "headquarters_country"),
    search=_search,
    search_label="Name or billing id",
    # The same FilterSet as the API's list of customers.
    filterset=CustomerFilter,
    sorts=(
        Sort("name", "Legal name", ("legal_name",)),
        Sort("id", "Billing id", ("external_id",)),
        Sort("country", "Incorporated in", ("country_of_incorporation__name",)),
        Sort("status", "Status", ("status",)),
        Sort("created", "Created", ("created_at",)),
    ),
    default_sort="name",
    rows_template="web/customers/rows.html",
    csv_name="customers",
    csv_columns=(
        ("billing_id", lambda c: c.external_id),
        ("legal_name", lambda c: c.legal_name),
        ("kind", lambda c: c.get_kind_display()),
        ("country_of_incorporation", lambda c: c.country_of_incorporation_id),
        ("headquarters_country", lambda c: c.headquarters_country_id),
        ("status", lambda c: c.get_status_display()),
        ("status_reason", lambda c: c.status_reason),
        ("created_at", lambda c: c.created_at.isoformat()),
    ),
)


@requires(Action.VIEW_CASES)
def customer_list(request):
    return render_listing(request, CUSTOMERS, template="web/customers/list.html")


def _detail(request, customer, *, forms=None, status=200):
    forms = forms or {}
    context = {
        "customer": customer,
        "addresses": customer.addresses.select_related("country"),
        "owners": customer.owners.select_related("owner").order_by("-percentage"),
        "ownership": ownership_standing(customer, on=timezone.localdate()),
        "persons": customer.persons.select_related("location_country").order_by("family_name")[:50],
        "determinations": ForeignPersonDetermination.objects.filter(customer=customer).select_related(
            "prepared_by", "approved_by", "attribution_country"
        ),
        "tasks": DeterminationTask.objects.filter(
            customer=customer, person__isnull=True, status=DeterminationTask.Status.OPEN
        ),
        "transactions": Transaction.objects.filter(customer=customer)
        .select_related("item", "person", "destination_country")
        .order_by("-requested_at")[:20],
        "address_form": forms.get("address") or AddressForm(),
        "status_form": forms.get("status") or CustomerStatusForm(initial={"status": customer.status}),
        "ownership_form": forms.get("ownership") or OwnershipForm(),
        "open_form": next(iter(forms), None),
        **case_context(request, customer),
    }
    return render(request, "web/customers/detail.html", context, status=status)


@requires(Action.VIEW_CASES)
def customer_detail(request, pk):
    customer = get_object_or_404(
        Customer.objects.select_related("country_of_incorporation", "headquarters_country", "ultimate_parent"), pk=pk
    )
    return _detail(request, customer)


@requires(Action.EDIT_PARTIES)
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer, _ = services.save_customer(
                actor=request.user, external_id=form.cleaned_data["external_id"], **form.service_fields()
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Customer {customer} recorded.")
            return redirect("customer_detail", customer.pk)
    return render(request, "web/customers/form.html", {"form": form}, status=400 if form.errors else 200)


@requires(Action.EDIT_PARTIES)
def customer_edit(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerForm(request.POST or None, initial=CustomerForm.initial_for(customer), editing=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_customer(actor=request.user, external_id=customer.external_id, **form.service_fields())
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Customer {customer} saved.")
            return redirect("customer_detail", customer.pk)
    return render(
        request, "web/customers/form.html", {"form": form, "customer": customer}, status=400 if form.errors else 200
    )


def _post_form(request, pk, key, form_class, call, done):
    customer = get_object_or_404(Customer, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(customer, form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("customer_detail", customer.pk)
    return _detail(request, customer, forms={key: form}, status=400)


@require_POST
@requires(Action.EDIT_PARTIES)
def customer_address_add(request, pk):
    return _post_form(
        request,
        pk,
        "address",
        AddressForm,
        lambda customer, data: services.save_customer_address(actor=request.user, customer=customer, **data),
        "Address added.",
    )


@require_POST
@requires(Action.EDIT_PARTIES)
def customer_status(request, pk):
    return _post_form(
        request,
        pk,
        "status",
        CustomerStatusForm,
        lambda customer, data: services.set_customer_status(actor=request.user, customer=customer, **data),
        "Status changed.",
    )


@require_POST
@requires(Action.EDIT_PARTIES)
def customer_ownership(request, pk):
    return _post_form(
        request,
        pk,
        "ownership",
        OwnershipForm,
        lambda customer, data: services.record_ownership(actor=request.user, owned=customer, **data),
        "Ownership recorded.",
    )
