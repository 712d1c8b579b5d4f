from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from licensing.accounts.admin_access import RoleAdmin
from licensing.accounts.permissions import Action

from .models import Proposal, TriageRuleSet
from .services.rule_sets import activate_rule_set, save_rule_set


@admin.register(TriageRuleSet)
class TriageRuleSetAdmin(RoleAdmin):
    change_action = Action.MANAGE_REFERENCE_DATA
    list_display = ("version", "status", "created_by", "created_at", "activated_at")
    list_filter = ("status",)
    fields = ("version", "status", "rules", "note", "created_by", "created_at", "activated_at")
    readonly_fields = ("version", "status", "created_by", "created_at", "activated_at")
    actions = ["activate"]

    def get_readonly_fields(self, request, obj=None):
        # Only a draft's rules change; an active or retired version stays as the proposals it made read it.
        if obj is not None and obj.status != TriageRuleSet.Status.DRAFT:
            return (*self.readonly_fields, "rules", "note")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Through the service, which numbers the version and records the event.
        saved = save_rule_set(
            actor=request.user,
            rules=form.cleaned_data["rules"],
            note=form.cleaned_data.get("note", ""),
            rule_set=obj if change else None,
        )
        obj.pk, obj.version = saved.pk, saved.version

    @admin.action(description="Activate the selected draft (retires the active version)")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one draft to activate.", messages.ERROR)
            return
        try:
            rule_set = activate_rule_set(actor=request.user, rule_set=queryset.get())
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Version {rule_set.version} is now active.")


@admin.register(Proposal)
class ProposalAdmin(RoleAdmin):
    # Read-only: proposals are written by triage and moved on the triage page, with a reason.
    list_display = ("__str__", "bucket", "rule_bucket", "attribution_country", "is_current", "proposed_at")
    list_filter = ("bucket", "is_current")
    list_select_related = ("customer", "person")
