from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from licensing.accounts.permissions import Action
from licensing.cases.models import OwnershipRulePeriod
from licensing.cases.services.ownership_rule import resume_ownership_rule, suspend_ownership_rule

from ..access import requires
from ..forms import show_errors
from ..forms.ownership_rule import OwnershipRulePeriodForm


@requires(Action.MANAGE_REFERENCE_DATA)
def ownership_rule(request):
    """The ownership rule's periods, and the form that suspends or resumes it from a day (administrators)."""
    form = OwnershipRulePeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = (
            suspend_ownership_rule if data["status"] == OwnershipRulePeriod.Status.SUSPENDED else resume_ownership_rule
        )
        try:
            period = record(
                actor=request.user,
                effective_from=data["effective_from"],
                effective_until=data["effective_until"],
                reason=data["reason"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{period} recorded; waiting transactions are being decided again.")
            return redirect("ownership_rule")
    periods = OwnershipRulePeriod.objects.select_related("recorded_by")
    return render(
        request, "web/ownership_rule.html", {"form": form, "periods": periods}, status=400 if form.errors else 200
    )
