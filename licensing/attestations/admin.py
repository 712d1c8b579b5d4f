from django.contrib import admin

from .models import Attestation, AttestationSendRun, RefusedLink


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    list_display = ("pk", "customer", "person", "status", "contact_email", "sent_at", "expires_at", "submitted_at")
    list_filter = ("status",)
    # Changes go through the services (revocation, submission); the admin only reads.
    readonly_fields = [f.name for f in Attestation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AttestationSendRun)
class AttestationSendRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "requested_by", "status", "total", "processed", "sent", "created_at")
    readonly_fields = [f.name for f in AttestationSendRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RefusedLink)
class RefusedLinkAdmin(admin.ModelAdmin):
    list_display = ("attempted_at", "reason", "attestation", "client_address")
    readonly_fields = [f.name for f in RefusedLink._meta.fields]

    def has_add_permission(self, request):
        return False
