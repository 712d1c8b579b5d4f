from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action, user_can
from licensing.cases.models import Transaction
from licensing.deadlines.models import Deadline
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination
from licensing.parties import evidence, services
from licensing.parties.models import EvidenceDocument, Person, StatusRecord, Visa, address_held_on
from licensing.parties.search import customer_name, name_matches, person_name
from licensing.parties.status import Basis, assess_person
from licensing.reference.models import Country
from licensing.security.uploads import name_for_type, served_type

from ..access import requires
from ..casefile import case_context
from ..forms import show_errors
from ..forms.parties import (
    EndStatusForm,
    EvidenceForm,
    PersonAddressForm,
    PersonForm,
    StatusFormSet,
    StatusRecordForm,
    VisaForm,
)
from ..listing import Filter, Listing, Sort, render_listing


def _search(queryset, q):
    # Given and family names together, accents ignored: "Ananya Iyer" and "Muller" both find Ananya Iyer and Müller.
    folded = queryset.alias(folded_name=person_name(), employer_folded=customer_name("customer__"))
    return folded.filter(
        Q(external_id__icontains=q) | Q(email__icontains=q) | name_matches(q) | name_matches(q, "employer_folded")
    )


def _countries(request):
    return Country.objects.values_list("code", "name")


def _held_statuses():
    return Prefetch(
        "status_records",
        queryset=StatusRecord.objects.filter(ended_on__isnull=True).order_by("acquired_on"),
        to_attr="current_statuses",
    )


def _statuses_text(person) -> str:
    return "; ".join(f"{r.get_kind_display()} {r.country_id} since {r.acquired_on}" for r in person.current_statuses)


PERSONS = Listing(
    title="Persons",
    queryset=lambda request: Person.objects.select_related("customer", "location_country").prefetch_related(
        _held_statuses()
    ),
    search=_search,
    search_label="Name, billing id, e-mail or customer",
    filters=(
        Filter("relationship", "Relationship", Person.Relationship.choices, lambda qs, v, r: qs.filter(relationship=v)),
        Filter("location", "Located in", _countries, lambda qs, v, r: qs.filter(location_country=v)),
        Filter(
            "citizenship",
            "Citizen of",
            _countries,
            lambda qs, v, r: qs.filter(
                status_records__kind=StatusRecord.Kind.CITIZENSHIP,
                status_records__country=v,
                status_records__ended_on__isnull=True,
            ).distinct(),
        ),
    ),
    sorts=(
        Sort("name", "Name", ("family_name", "given_name")),
        Sort("customer", "Customer", ("customer__legal_name",)),
        Sort("location", "Located in", ("location_country__name",)),
        Sort("created", "Created", ("created_at",)),
    ),
    default_sort="name",
    rows_template="web/persons/rows.html",
    csv_name="persons",
    csv_columns=(
        ("billing_id", lambda p: p.external_id),
        ("given_name", lambda p: p.given_name),
        ("family_name", lambda p: p.family_name),
        ("customer", lambda p: p.customer.external_id if p.customer_id else ""),
        ("relationship", lambda p: p.get_relationship_display()),
        ("located_in", lambda p: p.location_country_id),
        ("current_statuses", _statuses_text),
    ),
)


@requires(Action.VIEW_CASES)
def person_list(request):
    return render_listing(request, PERSONS, template="web/persons/list.html")


def _detail(request, person, *, forms=None, status=200):
    forms = forms or {}
    today = timezone.localdate()
    try:
        assessment, assessment_error = assess_person(person, today), None
    except ValidationError as error:
        assessment, assessment_error = None, " ".join(error.messages)
    may_see_evidence = user_can(request.user, Action.VIEW_EVIDENCE)
    visas = list(person.visas.select_related("recorded_by"))
    case = case_context(request, person)
    # A visa's expiry clock runs on the visa, not the person: shown here with the person's own clocks.
    visa_clocks = list(
        Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(Visa), subject_id__in=[v.pk for v in visas]
        ).select_related("owner")
    )
    if case.get("deadlines") is not None:
        case["deadlines"] = sorted([*case["deadlines"], *visa_clocks], key=lambda d: (d.due_on, d.pk))
    context = {
        "person": person,
        "today": today,
        "statuses": person.status_records.select_related("country").order_by("acquired_on", "pk"),
        "assessment": assessment,
        "assessment_error": assessment_error,
        "assessment_basis": Basis(assessment.basis).label if assessment else "",
        "may_see_evidence": may_see_evidence,
        "evidence": person.evidence.select_related("uploaded_by") if may_see_evidence else None,
        "determinations": ForeignPersonDetermination.objects.filter(person=person).select_related(
            "prepared_by", "approved_by", "attribution_country"
        ),
        "tasks": DeterminationTask.objects.filter(person=person, status=DeterminationTask.Status.OPEN),
        "transactions": Transaction.objects.filter(person=person)
        .select_related("item", "customer", "destination_country")
        .order_by("-requested_at")[:20],
        "status_form": forms.get("status") or StatusRecordForm(prefix="status"),
        "end_form": EndStatusForm(),
        "end_error": forms.get("end"),
        "evidence_form": forms.get("evidence") or EvidenceForm(prefix="evidence"),
        "addresses": person.addresses.select_related("country"),
        "current_address": address_held_on(person.pk, today),
        "address_form": forms.get("address") or PersonAddressForm(prefix="address"),
        # The latest recorded is the visa held; the earlier ones are its history.
        "visa": visas[0] if visas else None,
        "earlier_visas": visas[1:],
        "visa_form": forms.get("visa") or VisaForm(prefix="visa"),
        "open_form": next(iter(forms), None),
        **case,
    }
    return render(request, "web/persons/detail.html", context, status=status)


def _person(pk):
    return get_object_or_404(Person.objects.select_related("customer", "employer", "location_country"), pk=pk)


@requires(Action.VIEW_CASES)
def person_detail(request, pk):
    return _detail(request, _person(pk))


@requires(Action.EDIT_PARTIES)
def person_create(request):
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    form = PersonForm(request.POST or None, initial=initial, show_evidence=user_can(request.user, Action.VIEW_EVIDENCE))
    statuses = StatusFormSet(request.POST or None, prefix="statuses")
    if request.method == "POST" and form.is_valid() and statuses.is_valid():
        try:
            person = services.register_person(actor=request.user, statuses=statuses.rows(), **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{person} recorded.")
            return redirect("person_detail", person.pk)
    failed = request.method == "POST"
    return render(request, "web/persons/form.html", {"form": form, "statuses": statuses}, status=400 if failed else 200)


@requires(Action.EDIT_PARTIES)
def person_edit(request, pk):
    person = _person(pk)
    show_evidence = user_can(request.user, Action.VIEW_EVIDENCE)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person), show_evidence=show_evidence)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_person(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{person} saved.")
            return redirect("person_detail", person.pk)
    return render(
        request, "web/persons/form.html", {"form": form, "person": person}, status=400 if form.errors else 200
    )


@require_POST
@requires(Action.EDIT_PARTIES)
def person_status_add(request, pk):
    return _record_on_person(request, pk, StatusRecordForm, "status", services.record_status, done="Status recorded.")


def _record_on_person(request, pk, form_class, prefix, record, *, done):
    """Record one entry of a person's history from a form on the person's page (a status, an address, a visa).

    A refusal from the service is shown beside the form's fields on the page, answered with 400.
    """
    person = _person(pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("person_detail", person.pk)
    return _detail(request, person, forms={prefix: form}, status=400)


@require_POST
@requires(Action.EDIT_PARTIES)
def person_status_end(request, pk, record_pk):
    person = _person(pk)
    record = get_object_or_404(StatusRecord, pk=record_pk, person=person)
    form = EndStatusForm(request.POST)
    error_text = None
    if form.is_valid():
        try:
            services.end_status(actor=request.user, record=record, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            messages.success(request, f"{record.get_kind_display()} of {record.country_id} ended.")
            return redirect("person_detail", person.pk)
    else:
        error_text = "Ended on: give the day the status ended."
    return _detail(request, person, forms={"end": {"record": record.pk, "error": error_text}}, status=400)


@require_POST
@requires(Action.VIEW_EVIDENCE)
def person_evidence_add(request, pk):
    person = _person(pk)
    form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
    if form.is_valid():
        try:
            evidence.attach_evidence(
                actor=request.user,
                person=person,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Document attached.")
            return redirect("person_detail", person.pk)
    return _detail(request, person, forms={"evidence": form}, status=400)


@requires(Action.VIEW_EVIDENCE)
def person_evidence_download(request, pk, document_pk):
    document = get_object_or_404(EvidenceDocument, pk=document_pk, person_id=pk)
    try:
        handle = evidence.open_evidence(actor=request.user, document=document)
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    # The type and the name's extension come from the content: a name chosen by
    # whoever uploaded the file never makes the browser render it as a page.
    content_type = served_type(handle)
    filename = name_for_type(document.original_name, content_type)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@requires(Action.EDIT_PARTIES)
def person_address_add(request, pk):
    return _record_on_person(
        request, pk, PersonAddressForm, "address", services.record_person_address, done="Address recorded."
    )


@require_POST
@requires(Action.EDIT_PARTIES)
def person_visa_add(request, pk):
    return _record_on_person(
        request, pk, VisaForm, "visa", services.record_visa, done="Visa recorded; its expiry will be reminded."
    )
