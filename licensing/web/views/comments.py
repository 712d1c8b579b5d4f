from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action
from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.cases.services.comments import COMMENT_VERB, add_comment
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, Person

from ..access import requires
from ..forms import show_errors
from ..forms.workflow import CommentForm
from ..templatetags.exportdesk import url_of

COMMENTABLE = {
    "customer": Customer,
    "person": Person,
    "determination": ForeignPersonDetermination,
    "transaction": Transaction,
    "application": LicenceApplication,
    "licence": Licence,
}


@require_POST
@requires(Action.COMMENT)
def comment_add(request, kind, pk):
    """Add a comment; an htmx request gets the comments panel back, anything else the page."""
    model = COMMENTABLE.get(kind)
    if model is None:
        return redirect("home")
    target = get_object_or_404(model, pk=pk)
    form = CommentForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            add_comment(actor=request.user, target=target, text=form.cleaned_data["text"])
        except ValidationError as error:
            show_errors(form, error)
            status = 400
        else:
            form = CommentForm()
            if not request.headers.get("HX-Request"):
                messages.success(request, "Comment added.")
                return redirect(url_of(target))
    else:
        status = 400
    if not request.headers.get("HX-Request"):
        messages.error(request, "Comment: " + " ".join(form.errors.get("text", form.non_field_errors())))
        return redirect(url_of(target))
    comments = Event.objects.for_target(target).filter(verb=COMMENT_VERB).order_by("sequence")
    return render(
        request,
        "web/includes/comments.html",
        {"comments": comments, "comment_form": form, "comment_kind": kind, "target": target},
        status=status,
    )
