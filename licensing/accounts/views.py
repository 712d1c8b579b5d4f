from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from licensing.audit.services import record_event

from .sign_in_links import LinkRefused, redeem_sign_in_link, usable_link
from .two_factor import (
    VERIFIED_SESSION_KEY,
    Verification,
    code_is_valid,
    new_secret,
    provisioning_uri,
    refusal_message,
    verify_code,
)

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
        result = verify_code(user=request.user, code=form.cleaned_data["code"])
        if result is Verification.ACCEPTED:
            request.session.cycle_key()
            request.session[VERIFIED_SESSION_KEY] = True
            return redirect(_safe_next(request))
        form.add_error("code", refusal_message(result))
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enrol in (or leave) the TOTP second factor."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "disable" and user.totp_secret:
        form = CodeForm(request.POST)
        if form.is_valid():
            result = verify_code(user=user, code=form.cleaned_data["code"])
            if result is Verification.ACCEPTED:
                user.totp_secret = ""
                user.totp_last_step = None
                user.save(update_fields=["totp_secret", "totp_last_step"])
                record_event(actor=user, verb="user.two_factor_disabled", target=user)
                messages.success(request, "Two-factor sign-in is off.")
                return redirect("two_factor")
            form.add_error("code", refusal_message(result))
        return render(request, "accounts/two_factor.html", {"form": form, "enrolled": True})

    secret = request.session.get(ENROLMENT_SESSION_KEY) or new_secret()
    request.session[ENROLMENT_SESSION_KEY] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not user.totp_secret:
        # Enrolment proves the device holds the new secret; the code's step is not
        # spent, so a session started at once can verify with the code still shown.
        if code_is_valid(secret, form.cleaned_data["code"]):
            user.totp_secret = secret
            user.totp_last_step = None
            user.save(update_fields=["totp_secret", "totp_last_step"])
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


class LinkPasswordForm(forms.Form):
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token):
    """Sign a locked-out user in with their password through the link e-mailed to them."""
    # A GET only shows the form: mail scanners follow links, and must not spend one.
    try:
        link = usable_link(token)
    except LinkRefused as refusal:
        return render(request, "accounts/sign_in_link.html", {"refusal": str(refusal)}, status=410)
    form = LinkPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = redeem_sign_in_link(token=token, password=form.cleaned_data["password"])
        except LinkRefused as refusal:
            return render(request, "accounts/sign_in_link.html", {"refusal": str(refusal)}, status=410)
        if user is not None:
            login(request, user, backend="licensing.accounts.lockout.LockoutModelBackend")
            return redirect("home")
        form.add_error("password", "That password is not right.")
    return render(request, "accounts/sign_in_link.html", {"form": form, "username": link.user.get_username()})
