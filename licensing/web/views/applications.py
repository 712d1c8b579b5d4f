import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import PERMISSIONS, Action, user_can
from licensing.cases import prefiling
from licensing.cases.filters import ApplicationFilter
from licensing.cases.models import (
    FINAL_APPLICATION_STATUSES,
    ApplicationItem,
    ApplicationParty,
    LicenceApplication,
)
from licensing.cases.queues import with_next_deadline
from licensing.cases.services import applications as services
from licensing.cases.services import correspondence, licences
from licensing.cases.services.assignment import assign_applications, take_applications
from licensing.cases.workflow import APPLICATION_MACHINE
from licensing.parties.search import party_matches, with_party_names
from licensing.workflow.machine import IllegalTransition

from ..access import requires
from ..casefile import case_context, transition_view
from ..forms import show_errors
from ..forms.applications import ApplicationForm, ItemForm, PartyForm
from ..forms.correspondence import ConsigneeStatementForm, IntentToDenyResponseForm
from ..forms.workflow import AssignForm, officers_for
from ..listing import Listing, Sort, back_to_list, render_listing

A = LicenceApplication.Status
# Moves that carry a document: recorded through their own forms on the case page, not the transition buttons.
WITH_DOCUMENT = {"record_intent_to_deny_response"}
REFERENCE = re.compile(r"^EXD-?(\d+)$", re.IGNORECASE)


def _search(queryset, q):
    condition = (
        Q(snapr_control_number__iexact=q)
        | Q(customer__external_id__icontains=q)
        | Q(transaction__external_id__icontains=q)
        | party_matches(q)
    )
    match = REFERENCE.match(q.strip())
    if match:
        condition |= Q(pk=int(match.group(1)))
    return with_party_names(queryset).filter(condition)


APPLICATIONS = Listing(
    title="Licence applications",
    queryset=lambda request: with_next_deadline(
        LicenceApplication.objects.select_related(
            "customer", "person", "transaction", "assigned_officer", "prepared_by"
        )
    ),
    search=_search,
    search_label="Reference, control number, customer or transaction",
    filterset=ApplicationFilter,
    sorts=(
        Sort("created", "Created", ("created_at",)),
        Sort("updated", "Updated", ("updated_at",)),
        Sort("status", "Status", ("status",)),
        Sort("customer", "Customer", ("customer__legal_name",)),
        Sort("submitted", "Submitted", ("submitted_on",)),
        Sort("due", "Next deadline", ("next_due_on",)),
    ),
    default_sort="-updated",
    rows_template="web/applications/rows.html",
    csv_name="applications",
    csv_columns=(
        ("reference", lambda a: a.reference),
        ("status", lambda a: a.get_status_display()),
        ("transaction", lambda a: a.transaction.external_id),
        ("customer", lambda a: a.customer.external_id),
        ("person", lambda a: str(a.person) if a.person_id else ""),
        ("type", lambda a: a.get_application_type_display()),
        ("control_number", lambda a: a.snapr_control_number),
        ("submitted_on", lambda a: a.submitted_on or ""),
        ("registered_on", lambda a: a.registered_on or ""),
        ("assigned_officer", lambda a: a.assigned_officer.username if a.assigned_officer_id else ""),
        ("prepared_by", lambda a: a.prepared_by.username if a.prepared_by_id else ""),
        ("next_deadline_on", lambda a: a.next_due_on or ""),
    ),
    extra_context=lambda request: {
        "assign_form": AssignForm(action=Action.PREPARE_APPLICATION)
        if user_can(request.user, Action.ASSIGN_CASES)
        else None,
        "assign_url": reverse("application_assign_many"),
        "take_allowed": user_can(request.user, Action.PREPARE_APPLICATION),
        "final_statuses": FINAL_APPLICATION_STATUSES,
    },
)


@requires(Action.VIEW_CASES)
def application_list(request):
    return render_listing(request, APPLICATIONS)


def _application(pk):
    return get_object_or_404(
        LicenceApplication.objects.select_related(
            "customer",
            "person",
            "transaction__item",
            "transaction__destination_country",
            "transaction__attributed_country",
            "country",
            "assigned_officer",
            "prepared_by",
            "approved_for_filing_by",
        ),
        pk=pk,
    )


def four_eyes(application) -> dict:
    """Who prepared the application and who may approve it for filing: never the preparer."""
    roles = PERMISSIONS[Action.REVIEW_APPLICATION]
    reviewers = officers_for(Action.REVIEW_APPLICATION)
    if application.prepared_by_id:
        reviewers = reviewers.exclude(pk=application.prepared_by_id)
    return {"roles": sorted(str(r.label) for r in roles), "approvers": list(reviewers[:12])}


def _detail(request, application, *, bound=None, forms=None, refusal="", status=200):
    forms = forms or {}
    editable = application.status == A.DRAFT and user_can(request.user, Action.PREPARE_APPLICATION)
    licence = getattr(application, "licence", None) if application.status in FINAL_APPLICATION_STATUSES else None
    # In block order (14 to 20), as on the form, not alphabetically by role.
    block_order = {value: n for n, value in enumerate(ApplicationParty.Role.values)}
    parties = sorted(
        application.parties.select_related("country", "customer"), key=lambda p: (block_order[p.role], p.position)
    )
    context = {
        "application": application,
        "record": application.transaction,
        "parties": parties,
        "missing_roles": [
            label
            for value, label in ApplicationParty.Role.choices
            if value
            in (
                ApplicationParty.Role.APPLICANT,
                ApplicationParty.Role.ULTIMATE_CONSIGNEE,
                ApplicationParty.Role.END_USER,
            )
            and value not in {p.role for p in parties}
        ],
        "items": list(application.items.all()),
        "documents": application.documents.select_related("uploaded_by"),
        "licence": licence,
        "editable": editable,
        "four_eyes": four_eyes(application),
        "item_form": forms.get("item") or ItemForm(prefix="item"),
        "party_form": forms.get("party") or PartyForm(prefix="party"),
        "open_form": next(iter(forms), None),
        "refusal": refusal,
        "assign_form": AssignForm(
            action=Action.PREPARE_APPLICATION, initial={"officer": application.assigned_officer_id}
        )
        if user_can(request.user, Action.ASSIGN_CASES) and application.status not in FINAL_APPLICATION_STATUSES
        else None,
        **case_context(request, application, machine=APPLICATION_MACHINE, bound=bound),
        **_papers(request, application, forms),
    }
    context["may_take"] = (
        application.assigned_officer_id is None
        and application.status not in FINAL_APPLICATION_STATUSES
        and user_can(request.user, Action.PREPARE_APPLICATION)
    )
    if application.status == A.DRAFT:
        context["checklist"] = prefiling.check_application(application, today=timezone.localdate())
    context["transitions"] = [form for form in context["transitions"] if form.transition.name not in WITH_DOCUMENT]
    # A stopped clock reads as stopped, with the day it stopped, not as "Open".
    context["stopped_clocks"] = [d for d in context["deadlines"] or () if d.status == "open" and d.paused_since]
    return render(request, "web/applications/detail.html", context, status=status)


def _papers(request, application, forms) -> dict:
    """The case papers (BIS-711s, BIS's questions, the answers to an intent to deny) and the forms to record them."""
    final = application.status in FINAL_APPLICATION_STATUSES
    may_record_statement = not final and user_can(request.user, Action.RECORD_CONSIGNEE_STATEMENT)
    may_respond = application.status == A.INTENT_TO_DENY and user_can(request.user, Action.RESPOND_TO_BIS)
    return {
        "statements": application.consignee_statements.select_related("consignee_country", "document", "recorded_by"),
        "information_requests": application.information_requests.select_related("recorded_by"),
        "intent_responses": application.intent_to_deny_responses.select_related("recorded_by"),
        "statement_form": (forms.get("bis711") or ConsigneeStatementForm(prefix="bis711"))
        if may_record_statement or "bis711" in forms
        else None,
        "statement_url": reverse("application_consignee_statement_add", args=[application.pk]),
        "response_url": reverse("application_intent_to_deny_response", args=[application.pk]),
        "response_form": (forms.get("response") or IntentToDenyResponseForm(prefix="response"))
        if may_respond or "response" in forms
        else None,
    }


@requires(Action.VIEW_CASES)
def application_detail(request, pk):
    return _detail(request, _application(pk))


@requires(Action.PREPARE_APPLICATION)
def application_edit(request, pk):
    application = _application(pk)
    if application.status != A.DRAFT:
        messages.error(
            request, f"{application} is {application.get_status_display().lower()}; only a draft can be edited."
        )
        return redirect("application_detail", application.pk)
    form = ApplicationForm(request.POST or None, initial=ApplicationForm.initial_for(application))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{application} saved.")
            return redirect("application_detail", application.pk)
    return render(
        request,
        "web/applications/form.html",
        {
            "form": form,
            "application": application,
            "checklist": prefiling.check_application(
                application, today=timezone.localdate(), changes=_typed_blocks(request.POST or None)
            ),
        },
        status=400 if form.errors else 200,
    )


def _typed_blocks(data) -> dict:
    """The blocks as typed in the edit form, those that parse; nothing when no form was sent."""
    if not data or "application_type" not in data:
        return {}
    form = ApplicationForm(data)
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if name in services.EDITABLE_FIELDS}


@requires(Action.VIEW_CASES)
def application_checklist(request, pk):
    """The pre-filing checklist with the blocks being typed laid over the saved ones; the edit form asks for it."""
    application = _application(pk)
    problems = prefiling.check_application(application, today=timezone.localdate(), changes=_typed_blocks(request.GET))
    return render(request, "web/applications/checklist.html", {"problems": problems, "application": application})


def _line_form(request, pk, *, key, form_class, model, line_pk, save):
    application = _application(pk)
    line = get_object_or_404(model, pk=line_pk, application=application) if line_pk else None
    if request.method == "POST":
        form = form_class(request.POST, prefix=None if line else key)
        if form.is_valid():
            try:
                save(application, line, form.cleaned_data)
            except ValidationError as error:
                if line is None and not hasattr(error, "error_dict"):
                    # A refusal of the whole edit (the application is no longer a draft).
                    return _detail(request, application, refusal=" ".join(error.messages), status=400)
                show_errors(form, error)
            else:
                messages.success(request, f"{'Changed' if line else 'Added'}: {key}.")
                return redirect("application_detail", application.pk)
        if line is None:
            return _detail(request, application, forms={key: form}, status=400)
        status = 400
    else:
        form = form_class(initial={name: getattr(line, name) for name in form_class.base_fields})
        status = 200
    return render(
        request,
        "web/applications/line_form.html",
        {"form": form, "application": application, "line": line, "key": key},
        status=status,
    )


@requires(Action.PREPARE_APPLICATION)
def application_item(request, pk, line_pk=None):
    return _line_form(
        request,
        pk,
        key="item",
        form_class=ItemForm,
        model=ApplicationItem,
        line_pk=line_pk,
        save=lambda application, line, data: services.save_application_item(
            actor=request.user, application=application, line=line, **data
        ),
    )


@requires(Action.PREPARE_APPLICATION)
def application_party(request, pk, line_pk=None):
    return _line_form(
        request,
        pk,
        key="party",
        form_class=PartyForm,
        model=ApplicationParty,
        line_pk=line_pk,
        save=lambda application, party, data: services.save_application_party(
            actor=request.user, application=application, party=party, **data
        ),
    )


@require_POST
@requires(Action.PREPARE_APPLICATION)
def application_item_remove(request, pk, line_pk):
    application = _application(pk)
    line = get_object_or_404(ApplicationItem, pk=line_pk, application=application)
    try:
        services.remove_application_item(actor=request.user, application=application, line=line)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Item {line.position} removed.")
    return redirect("application_detail", application.pk)


@require_POST
@requires(Action.PREPARE_APPLICATION)
def application_party_remove(request, pk, line_pk):
    application = _application(pk)
    party = get_object_or_404(ApplicationParty, pk=line_pk, application=application)
    try:
        services.remove_application_party(actor=request.user, application=application, party=party)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{party} removed.")
    return redirect("application_detail", application.pk)


def _approve(user, application, arguments):
    return licences.record_approval(actor=user, application=application, **arguments)


def _bis_action(name):
    def call(user, application, arguments):
        return services.record_bis_action(actor=user, application=application, action=name, **arguments)

    return call


_SERVICES = {
    "submit_for_review": lambda user, a, args: services.submit_application_for_review(actor=user, application=a),
    "return_to_preparer": lambda user, a, args: services.return_application(actor=user, application=a, **args),
    "approve_for_filing": lambda user, a, args: services.approve_for_filing(actor=user, application=a, **args),
    "mark_submitted": lambda user, a, args: services.record_submission(actor=user, application=a, **args),
    "record_registration": lambda user, a, args: services.record_registration(actor=user, application=a, **args),
    "record_approval": _approve,
    "record_approval_with_conditions": _approve,
    "record_information_request": lambda user, a, args: correspondence.record_information_request(
        actor=user, application=a, **args
    ),
    "record_information_supplied": lambda user, a, args: correspondence.record_information_supplied(
        actor=user, application=a, **args
    ),
    **{name: _bis_action(name) for name in services.BIS_ACTIONS},
}


application_transition = transition_view(
    machine=APPLICATION_MACHINE,
    load=_application,
    service_for=_SERVICES.get,
    show=_detail,
    detail_url="application_detail",
)


def _assign(request, applications, form):
    try:
        changed = assign_applications(
            actor=request.user, applications=applications, officer=form.cleaned_data["officer"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{changed} application{'s' if changed != 1 else ''} assigned.")


@require_POST
@requires(Action.ASSIGN_CASES)
def application_assign(request, pk):
    application = _application(pk)
    form = AssignForm(request.POST, action=Action.PREPARE_APPLICATION)
    if form.is_valid():
        _assign(request, [application], form)
    else:
        messages.error(request, "Assign to: " + " ".join(form.errors.get("officer", [])))
    return redirect("application_detail", application.pk)


@require_POST
@requires(Action.PREPARE_APPLICATION)
def application_take(request, pk):
    """Assign an application nobody works to the officer asking: their own pick from the pool."""
    application = _application(pk)
    try:
        take_applications(actor=request.user, applications=[application])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{application} is assigned to you.")
    return redirect(back_to_list(request, reverse("application_detail", args=[application.pk])))


@require_POST
@requires(Action.ASSIGN_CASES)
def application_assign_many(request):
    form = AssignForm(request.POST, action=Action.PREPARE_APPLICATION)
    ids = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
    if form.is_valid():
        _assign(request, list(LicenceApplication.objects.filter(pk__in=ids)), form)
    else:
        messages.error(request, "Assign to: " + " ".join(form.errors.get("officer", [])))
    return redirect(back_to_list(request, reverse("application_list")))


@require_POST
@requires(Action.RECORD_CONSIGNEE_STATEMENT)
def application_consignee_statement_add(request, pk):
    application = _application(pk)
    form = ConsigneeStatementForm(request.POST, request.FILES, prefix="bis711")
    if form.is_valid():
        try:
            correspondence.record_bis711(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "BIS-711 recorded; its filing clocks run from its signature.")
            return redirect("application_detail", application.pk)
    return _detail(request, _application(pk), forms={"bis711": form}, status=400)


@require_POST
@requires(Action.RESPOND_TO_BIS)
def application_intent_to_deny_response(request, pk):
    application = _application(pk)
    form = IntentToDenyResponseForm(request.POST, request.FILES, prefix="response")
    status = 400
    if form.is_valid():
        try:
            correspondence.record_intent_to_deny_response(
                actor=request.user, application=application, **form.cleaned_data
            )
        except IllegalTransition as error:
            form.add_error(None, f"{str(error)[:1].upper()}{str(error)[1:]}.")
            status = 409
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Response to the intent to deny recorded.")
            return redirect("application_detail", application.pk)
    return _detail(request, _application(pk), forms={"response": form}, status=status)
