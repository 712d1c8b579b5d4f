"""Pages: my deadlines and the overdue queue, one deadline, preferences, the calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST, require_safe

from licensing.accounts.permissions import Action, user_can
from licensing.audit.models import Event
from licensing.deadlines.ical import render_feed
from licensing.deadlines.models import Deadline, Notification, Subscription
from licensing.deadlines.queues import overdue_queue, upcoming_for
from licensing.deadlines.recompute import SETTLED_VERB
from licensing.deadlines.rules import SETTLED_BY_HAND
from licensing.deadlines.services import (
    calendar_owner,
    mark_notification_read,
    reset_calendar_feed,
    set_daily_digest,
    settle_deadline,
)

from ..access import requires
from ..forms.deadlines import DigestForm, SettleForm


@requires(Action.VIEW_CASES)
@require_GET
def index(request):
    """Show the user's overdue queue, their own deadlines, their unread notifications and preferences."""
    return render(request, "deadlines/index.html", _index_context(request))


def _index_context(request, **extra) -> dict:
    today = timezone.localdate()
    subscription = Subscription.objects.filter(user=request.user).first()
    return {
        "today": today,
        "overdue": overdue_queue(request.user, today=today)[:200],
        "mine": upcoming_for(request.user, today=today),
        "notifications": Notification.objects.filter(recipient=request.user, read_at__isnull=True).select_related(
            "deadline"
        )[:50],
        "subscription": subscription,
        "digest_form": DigestForm(initial={"daily_digest": bool(subscription and subscription.daily_digest)}),
        **extra,
    }


@requires(Action.VIEW_CASES)
@require_GET
def detail(request, pk: int):
    """Show one deadline: how it was worked out, its reminders, and the settle form where it applies."""
    deadline = get_object_or_404(_deadlines(), pk=pk)
    form = SettleForm(initial={"status": Deadline.Status.MET, "on": timezone.localdate()})
    return render(request, "deadlines/detail.html", _detail_context(request, deadline, form))


def _deadlines():
    return Deadline.objects.select_related("owner", "reviewer", "application", "subject_type")


def _detail_context(request, deadline: Deadline, form) -> dict:
    today = timezone.localdate()
    subject = deadline.subject
    settlements = (
        Event.objects.for_target(subject).filter(verb=SETTLED_VERB, after__kind=deadline.kind) if subject else []
    )
    history = sorted([*Event.objects.for_target(deadline), *settlements], key=lambda event: event.sequence)
    return {
        "deadline": deadline,
        "today": today,
        "overdue": deadline.is_overdue(today),
        "reminders": deadline.reminders.select_related("recipient").order_by("claimed_at"),
        "history": history,
        "form": form,
        "can_settle": (
            user_can(request.user, Action.SETTLE_DEADLINE)
            and deadline.kind in SETTLED_BY_HAND
            and (deadline.status == Deadline.Status.OPEN or deadline.is_overdue(today))
        ),
    }


@requires(Action.SETTLE_DEADLINE)
@require_POST
def settle(request, pk: int):
    """Record that a deadline was met, or no longer applies."""
    deadline = get_object_or_404(_deadlines(), pk=pk)
    form = SettleForm(request.POST)
    if form.is_valid():
        try:
            settle_deadline(actor=request.user, deadline=deadline, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Recorded: {deadline.get_kind_display()} {form.cleaned_data['status']}.")
            return redirect(deadline)
    return render(request, "deadlines/detail.html", _detail_context(request, deadline, form), status=400)


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


@login_required
@require_POST
def preferences(request):
    """Choose one e-mail per reminder or one digest a day."""
    form = DigestForm(request.POST)
    if not form.is_valid():
        return render(request, "deadlines/index.html", _index_context(request, digest_form=form), status=400)
    set_daily_digest(actor=request.user, daily_digest=form.cleaned_data["daily_digest"])
    messages.success(request, "Your reminder preference is saved.")
    return redirect("deadlines:index")


@login_required
@require_POST
def calendar_address(request):
    """Make a new private calendar address and show it once; any older address stops working."""
    secret = reset_calendar_feed(actor=request.user)
    address = request.build_absolute_uri(reverse("deadlines:calendar-feed", args=[secret]))
    return render(request, "deadlines/index.html", _index_context(request, calendar_address=address))


@require_safe
def calendar_feed(request, secret: str):
    """Serve the calendar of the user whose private address this is; calendar programs cannot sign in."""
    user = calendar_owner(secret)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(render_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="exportdesk-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's notifications as read."""
    notification = get_object_or_404(Notification, pk=pk)
    mark_notification_read(actor=request.user, notification=notification)
    return redirect("deadlines:index")
