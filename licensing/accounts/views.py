from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from licensing.audit.services import record_event

from .two_factor import VERIFIED_SESSION_KEY, code_is_valid, new_secret, provisioning_uri

ENROLMENT_SESSION_KEY = "two_factor_pending_secret"


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Six-digit code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the six digits your authenticator app shows."},
    )


def _safe_next(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask an enrolled user for their current code before trusting the session."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if code_is_valid(request.user.totp_secret, form.cleaned_data["code"]):
            request.session.cycle_key()
            request.session[VERIFIED_SESSION_KEY] = True
            return redirect(_safe_next(request))
        form.add_error("code", "That code is not valid now; check your device's clock and try again.")
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enrol in (or leave) the TOTP second factor."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "disable" and user.totp_secret:
        form = CodeForm(request.POST)
        if form.is_valid() and code_is_valid(user.totp_secret, form.cleaned_data["code"]):
            user.totp_secret = ""
            user.save(update_fields=["totp_secret"])
            record_event(actor=user, verb="user.two_factor_disabled", target=user)
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("two_factor")
        form.add_error("code", "That code is not valid now.")
        return render(request, "accounts/two_factor.html", {"form": form, "enrolled": True})

    secret = request.session.get(ENROLMENT_SESSION_KEY) or new_secret()
    request.session[ENROLMENT_SESSION_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not user.totp_secret:
        if code_is_valid(secret, form.cleaned_data["code"]):
            user.totp_secret = secret
            user.save(update_fields=["totp_secret"])
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            request.session[VERIFIED_SESSION_KEY] = True
            record_event(actor=user, verb="user.two_factor_enabled", target=user)
            messages.success(request, "Two-factor sign-in is on.")
            return redirect("two_factor")
        form.add_error("code", "That code does not match; scan the key again and enter the current code.")
    context = {
        "form": form,
        "enrolled": bool(user.totp_secret),
        "secret": secret,
        "uri": provisioning_uri(user, secret),
    }
    return render(request, "accounts/two_factor.html", context)
