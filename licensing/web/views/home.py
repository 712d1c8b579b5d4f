from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from licensing.accounts.permissions import Action, user_can

from .. import dashboard
from ..access import forbidden


@login_required
def home(request):
    """Show what waits for this user: their queue, reviews, holds, clocks, expiries and the charts."""
    if not user_can(request.user, Action.VIEW_CASES):
        return forbidden(request, "Your account has no role yet; an administrator must give it one.")
    return render(request, "web/dashboard.html", dashboard.build(request.user))
