from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin, run_service_action
from licensing.accounts.permissions import Action

from .models import ExportPackage, Filing, RetentionRecord
from .services.filings import retry_filing


@admin.register(Filing)
class FilingAdmin(RoleAdmin):
    service_argument = "filing"
    list_display = ("application", "kind", "version", "status", "trigger", "requested_by", "generated_at", "attempts")
    list_filter = ("status", "kind", "trigger")
    search_fields = ("application__snapr_control_number", "application__customer__legal_name", "sha256")
    list_select_related = ("application", "requested_by")
    readonly_fields = [f.name for f in Filing._meta.fields]
    actions = ["retry"]

    @admin.action(description="Queue the selected failed filings again")
    def retry(self, request, queryset):
        run_service_action(self, request, queryset, retry_filing, "Queued again")


@admin.register(ExportPackage)
class ExportPackageAdmin(RoleAdmin):
    # Packages carry every record of many cases: legal staff and auditors only.
    view_action = Action.DOWNLOAD_PACKAGES
    list_display = ("__str__", "requested_by", "requested_at", "status", "done", "total", "size_bytes")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ExportPackage._meta.fields]


@admin.register(RetentionRecord)
class RetentionRecordAdmin(RoleAdmin):
    list_display = ("application", "exported_on", "transaction_ended_on", "destroy_after_on", "basis", "legal_hold")
    list_filter = ("legal_hold", "basis")
    search_fields = ("application__snapr_control_number", "legal_hold_reason")
    list_select_related = ("application",)
    readonly_fields = [f.name for f in RetentionRecord._meta.fields]
