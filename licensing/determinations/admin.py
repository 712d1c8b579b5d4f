from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin, run_service_action

from . import services
from .models import DeterminationTask, ForeignPersonDetermination


@admin.register(ForeignPersonDetermination)
class DeterminationAdmin(RoleAdmin):
    service_argument = "determination"
    list_display = (
        "__str__",
        "status",
        "outcome",
        "basis",
        "attribution_country",
        "effective_on",
        "review_by",
        "prepared_by",
        "approved_by",
    )
    list_filter = ("status", "outcome", "basis", "attribution_country", "review_by")
    search_fields = ("customer__legal_name", "person__given_name", "person__family_name")
    list_select_related = ("customer", "person", "attribution_country", "prepared_by", "approved_by")
    readonly_fields = [f.name for f in ForeignPersonDetermination._meta.fields]
    actions = ["submit_for_review", "approve"]

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        run_service_action(self, request, queryset, services.submit_determination, "Submitted")

    @admin.action(description="Approve selected determinations (four eyes)")
    def approve(self, request, queryset):
        run_service_action(self, request, queryset, services.approve_determination, "Approved")


@admin.register(DeterminationTask)
class DeterminationTaskAdmin(RoleAdmin):
    list_display = ("__str__", "status", "reason", "opened_at", "assigned_to", "closed_at")
    list_filter = ("status",)
    search_fields = ("customer__legal_name", "person__given_name", "person__family_name", "reason")
    list_select_related = ("customer", "person", "assigned_to")
    readonly_fields = [f.name for f in DeterminationTask._meta.fields]
