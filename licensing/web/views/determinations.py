from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import PERMISSIONS, Action, user_can
from licensing.attestations.models import Attestation
from licensing.determinations import services
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination
from licensing.determinations.workflow import DETERMINATION_MACHINE
from licensing.parties.models import Customer, Person, address_held_on
from licensing.parties.search import party_matches, with_party_names
from licensing.parties.status import Outcome, assess

from ..access import requires
from ..casefile import case_context, transition_view
from ..forms import show_errors
from ..forms.determinations import DeterminationForm
from ..forms.workflow import AssignForm, officers_for
from ..listing import Filter, Listing, Sort, back_to_list, render_listing

D = ForeignPersonDetermination.Status


def _subject_search(queryset, q):
    return with_party_names(queryset).filter(
        Q(customer__external_id__icontains=q) | Q(person__external_id__icontains=q) | party_matches(q)
    )


DETERMINATIONS = Listing(
    title="Determinations",
    queryset=lambda request: ForeignPersonDetermination.objects.select_related(
        "customer", "person", "attribution_country", "prepared_by", "approved_by"
    ),
    search=_subject_search,
    search_label="Subject's name or billing id",
    filters=(
        Filter("status", "Status", D.choices, lambda qs, v, r: qs.filter(status=v)),
        Filter("outcome", "Outcome", Outcome.choices, lambda qs, v, r: qs.filter(outcome=v)),
        Filter(
            "subject",
            "Subject",
            (("customer", "Customers"), ("person", "Persons")),
            lambda qs, v, r: qs.filter(**{f"{v}__isnull": False}),
        ),
        Filter(
            "review",
            "Review",
            (("due", "Review date passed"), ("mine", "Awaiting my review")),
            lambda qs, v, r: (
                qs.approved().filter(review_by__lt=timezone.localdate())
                if v == "due"
                else qs.awaiting_review().exclude(prepared_by=r.user)
            ),
        ),
    ),
    sorts=(
        Sort("effective", "Effective on", ("effective_on",)),
        Sort("review", "Review by", ("review_by",)),
        Sort("status", "Status", ("status",)),
        Sort("updated", "Updated", ("updated_at",)),
    ),
    default_sort="-updated",
    rows_template="web/determinations/rows.html",
    csv_name="determinations",
    csv_columns=(
        ("id", lambda d: d.pk),
        ("subject", lambda d: str(d.subject)),
        ("subject_billing_id", lambda d: d.subject.external_id),
        ("status", lambda d: d.get_status_display()),
        ("outcome", lambda d: d.get_outcome_display()),
        ("basis", lambda d: d.get_basis_display()),
        ("attribution_country", lambda d: d.attribution_country_id),
        ("itar_countries", lambda d: " ".join(d.itar_countries)),
        ("effective_on", lambda d: d.effective_on),
        ("review_by", lambda d: d.review_by),
        ("prepared_by", lambda d: d.prepared_by.username),
        ("approved_by", lambda d: d.approved_by.username if d.approved_by_id else ""),
    ),
)


@requires(Action.VIEW_CASES)
def determination_list(request):
    return render_listing(request, DETERMINATIONS, template="web/determinations/list.html")


TASKS = Listing(
    title="Determinations needed",
    queryset=lambda request: DeterminationTask.objects.select_related(
        "customer", "person", "assigned_to", "opened_by_transaction"
    ),
    search=_subject_search,
    search_label="Subject's name or billing id",
    filters=(
        Filter("status", "Status", DeterminationTask.Status.choices, lambda qs, v, r: qs.filter(status=v)),
        Filter(
            "assigned",
            "Assigned",
            (("me", "To me"), ("nobody", "To nobody")),
            lambda qs, v, r: qs.filter(assigned_to=r.user) if v == "me" else qs.filter(assigned_to__isnull=True),
        ),
    ),
    sorts=(Sort("opened", "Opened", ("opened_at",)), Sort("status", "Status", ("status",))),
    default_sort="opened",
    rows_template="web/determinations/task_rows.html",
    csv_name="determination-tasks",
    csv_columns=(
        ("id", lambda t: t.pk),
        ("subject", lambda t: str(t.subject)),
        ("status", lambda t: t.get_status_display()),
        ("reason", lambda t: t.reason),
        ("opened_at", lambda t: t.opened_at.isoformat()),
        ("assigned_to", lambda t: t.assigned_to.username if t.assigned_to_id else ""),
    ),
    extra_context=lambda request: {
        "assign_form": AssignForm(action=Action.PREPARE_DETERMINATION)
        if user_can(request.user, Action.ASSIGN_CASES)
        else None,
        "assign_url": reverse("determination_task_assign"),
    },
)


@requires(Action.VIEW_CASES)
def task_list(request):
    return render_listing(request, TASKS, template="web/determinations/tasks.html")


@require_POST
@requires(Action.ASSIGN_CASES)
def task_assign(request):
    form = AssignForm(request.POST, action=Action.PREPARE_DETERMINATION)
    tasks = list(DeterminationTask.objects.filter(pk__in=_ids(request)))
    if form.is_valid():
        try:
            changed = services.assign_determination_tasks(
                actor=request.user, tasks=tasks, officer=form.cleaned_data["officer"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{changed} task{'s' if changed != 1 else ''} assigned.")
    else:
        messages.error(request, "Assign to: " + " ".join(form.errors.get("officer", [])))
    return redirect(back_to_list(request, reverse("determination_task_list")))


def _ids(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("selected") if value.isdigit()]


def four_eyes(determination) -> dict:
    """Who prepared the determination and who may approve it: never the preparer."""
    roles = PERMISSIONS[Action.APPROVE_DETERMINATION]
    approvers = officers_for(Action.APPROVE_DETERMINATION).exclude(pk=determination.prepared_by_id)
    return {"roles": sorted(str(r.label) for r in roles), "approvers": list(approvers[:12])}


def _evidence(request, determination) -> dict:
    """What the determination rests on: the subject's records, documents and signed attestations."""
    subject = determination.subject
    on = determination.effective_on
    may_see_evidence = user_can(request.user, Action.VIEW_EVIDENCE)
    evidence: dict = {
        "may_see_evidence": may_see_evidence,
        "attestations": list(Attestation.objects.for_subject(subject).submitted().order_by("-submitted_at")),
    }
    if isinstance(subject, Person):
        records = list(subject.status_records.select_related("country").order_by("acquired_on", "pk"))
        evidence |= {
            # Each record with whether the assessment, made as of the effective date, counted it.
            "status_records": [(record, record.held_on(on)) for record in records],
            "documents": list(subject.evidence.select_related("uploaded_by")) if may_see_evidence else None,
            "visa": subject.visas.first(),
            "address": address_held_on(subject.pk, on),
        }
    else:
        evidence |= {
            "incorporated_in": subject.country_of_incorporation,
            "headquarters": subject.headquarters_country,
            "addresses": list(subject.addresses.select_related("country")),
        }
    return evidence


def _detail(request, determination, *, bound=None, status=200):
    context = {
        "determination": determination,
        "subject": determination.subject,
        "evidence": _evidence(request, determination),
        "four_eyes": four_eyes(determination),
        "earlier": ForeignPersonDetermination.objects.for_subject(determination.subject)
        .exclude(pk=determination.pk)
        .select_related("attribution_country")[:10],
        **case_context(request, determination, machine=DETERMINATION_MACHINE, bound=bound),
    }
    return render(request, "web/determinations/detail.html", context, status=status)


def _determination(pk):
    return get_object_or_404(
        ForeignPersonDetermination.objects.select_related(
            "customer", "person", "attribution_country", "prepared_by", "approved_by"
        ),
        pk=pk,
    )


@requires(Action.VIEW_CASES)
def determination_detail(request, pk):
    return _detail(request, _determination(pk))


def _subject(kind, pk):
    model = {"customer": Customer, "person": Person}.get(kind)
    if model is None:
        raise Http404(f"A determination is about a customer or a person, not a {kind}.")
    return get_object_or_404(model, pk=pk)


def _preview(subject, on):
    try:
        return assess(subject, on), None
    except ValidationError as error:
        return None, " ".join(error.messages)


@requires(Action.PREPARE_DETERMINATION)
def determination_prepare(request, kind, pk):
    subject = _subject(kind, pk)
    form = DeterminationForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            determination = services.prepare_determination(actor=request.user, subject=subject, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{determination} drafted. Submit it for review when it is right.")
            return redirect("determination_detail", determination.pk)
    preview, preview_error = _preview(subject, timezone.localdate())
    return render(
        request,
        "web/determinations/form.html",
        {"form": form, "subject": subject, "preview": preview, "preview_error": preview_error},
        status=400 if form.errors else 200,
    )


@requires(Action.PREPARE_DETERMINATION)
def determination_edit(request, pk):
    determination = _determination(pk)
    if determination.status != D.DRAFT:
        messages.error(
            request, f"{determination} is {determination.get_status_display().lower()}; only a draft can be edited."
        )
        return redirect("determination_detail", determination.pk)
    form = DeterminationForm(
        request.POST or None,
        initial={
            "effective_on": determination.effective_on,
            "review_by": determination.review_by,
            "notes": determination.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_determination(actor=request.user, determination=determination, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{determination} saved.")
            return redirect("determination_detail", determination.pk)
    preview, preview_error = _preview(determination.subject, timezone.localdate())
    return render(
        request,
        "web/determinations/form.html",
        {
            "form": form,
            "subject": determination.subject,
            "determination": determination,
            "preview": preview,
            "preview_error": preview_error,
        },
        status=400 if form.errors else 200,
    )


_SERVICES = {
    "submit": lambda user, d, args: services.submit_determination(actor=user, determination=d),
    "approve": lambda user, d, args: services.approve_determination(actor=user, determination=d, **args),
    "reject": lambda user, d, args: services.reject_determination(actor=user, determination=d, **args),
    "return_to_preparer": lambda user, d, args: services.return_determination(actor=user, determination=d, **args),
}


determination_transition = transition_view(
    machine=DETERMINATION_MACHINE,
    load=_determination,
    service_for=_SERVICES.get,
    show=_detail,
    detail_url="determination_detail",
)
