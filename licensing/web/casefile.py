"""What every detail page shows beside the record: its timeline, comments, clocks and buttons."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action, user_can
from licensing.audit.models import Event
from licensing.cases.services.comments import COMMENT_VERB
from licensing.workflow.machine import IllegalTransition, ReasonRequired, StateMachine

from .access import forbidden, requires
from .forms import show_errors
from .forms.workflow import CommentForm, transition_form
from .neighbours import deadlines_for


def case_context(request, obj, *, machine: StateMachine | None = None, bound=None) -> dict:
    """The timeline, comments, deadlines and transition forms for obj, as the user may see them.

    `bound` is a transition form that failed validation, shown again with its errors.
    """
    events = list(Event.objects.for_target(obj).order_by("sequence"))
    context: dict[str, Any] = {
        "timeline": [e for e in events if e.verb != COMMENT_VERB],
        "comments": [e for e in events if e.verb == COMMENT_VERB],
        "comment_form": CommentForm() if user_can(request.user, Action.COMMENT) else None,
        "deadlines": deadlines_for(obj),
        "transitions": [],
        "transition_refusal": [],
    }
    if machine is not None:
        for transition in machine.available_transitions(obj, request.user):
            if bound is not None and bound.transition.name == transition.name:
                context["transitions"].append(bound)
                bound = None
            else:
                context["transitions"].append(transition_form(transition))
    if bound is not None:
        # The move is no longer offered (someone else made it first): say why above the buttons.
        context["transition_refusal"] = [str(e) for e in bound.non_field_errors()] or [
            f"{bound.transition.label or bound.transition.name} is not possible now."
        ]
    return context


def run_transition(request, machine: StateMachine, name: str, *, call, show_again, success_url: str):
    """Check and make one transition through its service, then go back to the record.

    `call(form)` runs the service; `show_again(form, status)` renders the
    detail page with a failed form. Refusals by role or four eyes answer 403.
    """
    try:
        transition = machine.get(name)
    except IllegalTransition:
        return forbidden(request, f"There is no action named {name}.")
    if transition.system_only or (transition.action and not user_can(request.user, transition.action)):
        return forbidden(request, f"Your role may not {transition.label or transition.name}.")
    form = transition_form(transition, request.POST)
    if not form.is_valid():
        return show_again(form, 400)
    try:
        call(form)
    except IllegalTransition as error:
        form.add_error(None, str(error))
        return show_again(form, 409)
    except ReasonRequired as error:
        form.add_error("reason" if "reason" in form.fields else None, str(error))
        return show_again(form, 400)
    except ValidationError as error:
        show_errors(form, error, fields={"snapr_control_number": "control_number", "number": "licence_number"})
        return show_again(form, 400)
    messages.success(request, f"Done: {transition.label or transition.name}.")
    return redirect(success_url)


def transition_view(*, machine: StateMachine, load, service_for, show, detail_url: str):
    """Make the POST-only view that moves one kind of record through `machine` by a named transition.

    `load(pk)` fetches the record; `service_for(name)` gives the service that
    makes the move as `service(user, record, arguments)`, or None for a name
    the page does not offer; `show(request, record, bound=form, status=status)`
    renders the record's page again around a failed form; `detail_url` names
    the page to go back to.
    """

    @require_POST
    @requires(Action.VIEW_CASES)
    def view(request, pk, name):
        record = load(pk)
        service = service_for(name)
        if service is None:
            return forbidden(request, f"There is no action named {name}.")
        return run_transition(
            request,
            machine,
            name,
            call=lambda form: service(request.user, record, form.service_arguments()),
            show_again=lambda form, status: show(request, record, bound=form, status=status),
            success_url=reverse(detail_url, args=[record.pk]),
        )

    return view
