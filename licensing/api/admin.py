from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from licensing.accounts.admin_access import RoleAdmin
from licensing.accounts.permissions import Action, user_can

from .models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from .tokens import expiry_problem, revoke_api_token, set_api_token_expiry
from .webhooks.subscriptions import create_subscription, new_secret, update_subscription


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        # The service's rule, shown on the field rather than as a failed save.
        if expires_at != self.initial.get("expires_at") and (problem := expiry_problem(expires_at)):
            raise ValidationError(problem)
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdmin):
    """Tokens are issued with `manage.py issue_api_token`, which shows the secret once; here they are revoked
    or given a new expiry."""

    view_action = Action.MANAGE_API_TOKENS
    change_action = Action.MANAGE_API_TOKENS
    form = ApiTokenForm
    list_display = ("name", "role", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("name", "prefix")
    fields = (
        "name",
        "role",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    )
    readonly_fields = (
        "name",
        "role",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    )
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_api_token(actor=request.user, token=token, reason="Revoked in the admin.")
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)

    def has_revoke_permission(self, request):
        return user_can(request.user, Action.MANAGE_API_TOKENS)

    def has_add_permission(self, request, obj=None):
        # Only the command issues tokens: it is the one place the secret is shown.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked_at is not None:
            return self.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # The expiry is the one field edited here, and only through its service.
        if "expires_at" in form.changed_data:
            set_api_token_expiry(actor=request.user, token=obj, expires_at=form.cleaned_data["expires_at"])


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "active"]
        help_texts = {"secret": "Give this to the receiver; it checks each delivery's signature with it."}


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(RoleAdmin):
    view_action = Action.MANAGE_WEBHOOKS
    change_action = Action.MANAGE_WEBHOOKS
    form = SubscriptionForm
    list_display = ("name", "url", "active", "updated_at")
    list_filter = ("active",)

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "secret": new_secret()}

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "url", "events", "secret", "active")}
        fields["events"] = list(fields["events"])
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            saved = update_subscription(actor=request.user, subscription=obj, **changed)
        else:
            saved = create_subscription(actor=request.user, **fields)
        obj.pk = saved.pk


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "status_code", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RoleAdmin):
    """The delivery log: what was sent where, and each attempt's outcome."""

    view_action = Action.MANAGE_WEBHOOKS
    list_display = ("event_type", "subscription", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event_type", "subscription")
    readonly_fields = (
        "subscription",
        "event_id",
        "event_type",
        "dedupe_key",
        "body",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "delivered_at",
    )
    inlines = [AttemptInline]
