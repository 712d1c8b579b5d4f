from django.contrib import admin

from .models import BatchEntry, DeterminationBatch


@admin.register(DeterminationBatch)
class DeterminationBatchAdmin(admin.ModelAdmin):
    list_display = ("pk", "status", "prepared_by", "reviewer", "sample_size", "created_at", "finished_at")
    list_filter = ("status",)
    # Every change goes through the services (four eyes, the sample); the admin only reads.
    readonly_fields = [f.name for f in DeterminationBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BatchEntry)
class BatchEntryAdmin(admin.ModelAdmin):
    list_display = ("pk", "batch", "customer", "person", "state", "sampled", "opened_at", "verdict")
    list_filter = ("state", "sampled")
    readonly_fields = [f.name for f in BatchEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
