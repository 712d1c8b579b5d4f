"""Who may open a page or press a button: every view asks the role table through here."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from licensing.accounts.permissions import Action, refusal, user_can
from licensing.workflow.machine import ActorNotAllowed


def forbidden(request, reason: str):
    return render(request, "web/forbidden.html", {"reason": reason}, status=403)


def requires(action: Action):
    """Let the view run only for a signed-in user whose role allows `action`.

    A refusal raised further in (`require` for a second action, a service's
    own check, the four-eyes rule) answers 403 with its words, the same as a
    refusal here.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, action):
                return forbidden(request, refusal(action))
            try:
                return view(request, *args, **kwargs)
            except (PermissionDenied, ActorNotAllowed) as refused:
                return forbidden(request, str(refused) or "Your role does not allow this.")

        return wrapped

    return decorator
