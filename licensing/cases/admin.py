from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin, run_service_action

from .models import (
    ApplicationItem,
    ApplicationParty,
    Licence,
    LicenceApplication,
    LicenceCondition,
    SupportingDocument,
    Transaction,
)
from .services import applications


@admin.register(Transaction)
class TransactionAdmin(RoleAdmin):
    list_display = (
        "external_id",
        "customer",
        "person",
        "item",
        "activity",
        "destination_country",
        "decision",
        "decided_at",
    )
    list_filter = ("decision", "activity", "item", "destination_country")
    search_fields = ("external_id", "customer__legal_name", "customer__external_id", "person__family_name")
    list_select_related = ("customer", "person", "item", "destination_country")
    readonly_fields = [f.name for f in Transaction._meta.fields]
    date_hierarchy = "requested_at"


class PartyInline(admin.StackedInline):
    model = ApplicationParty
    extra = 0
    readonly_fields = [f.name for f in ApplicationParty._meta.fields]


class ItemInline(admin.TabularInline):
    model = ApplicationItem
    extra = 0
    readonly_fields = [f.name for f in ApplicationItem._meta.fields]


class DocumentInline(admin.TabularInline):
    model = SupportingDocument
    extra = 0
    fields = ("kind", "original_name", "signed_on", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(LicenceApplication)
class LicenceApplicationAdmin(RoleAdmin):
    service_argument = "application"
    list_display = (
        "reference",
        "customer",
        "person",
        "status",
        "assigned_officer",
        "snapr_control_number",
        "updated_at",
    )
    list_filter = ("status", "application_type", "assigned_officer")
    search_fields = ("snapr_control_number", "customer__legal_name", "transaction__external_id")
    list_select_related = ("customer", "person", "assigned_officer")
    readonly_fields = [f.name for f in LicenceApplication._meta.fields]
    inlines = [PartyInline, ItemInline, DocumentInline]
    actions = ["submit_for_review", "approve_for_filing"]

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        run_service_action(self, request, queryset, applications.submit_application_for_review, "Submitted")

    @admin.action(description="Approve selected applications for filing (four eyes)")
    def approve_for_filing(self, request, queryset):
        run_service_action(self, request, queryset, applications.approve_for_filing, "Approved for filing")


class ConditionInline(admin.TabularInline):
    model = LicenceCondition
    extra = 0
    readonly_fields = [f.name for f in LicenceCondition._meta.fields]


@admin.register(Licence)
class LicenceAdmin(RoleAdmin):
    list_display = ("number", "customer", "item", "country", "standing", "valid_from", "valid_until")
    list_filter = ("status", "item", "country", "valid_until")
    search_fields = ("number", "customer__legal_name", "application__snapr_control_number")
    list_select_related = ("customer", "item", "country")
    readonly_fields = [f.name for f in Licence._meta.fields]
    inlines = [ConditionInline]
