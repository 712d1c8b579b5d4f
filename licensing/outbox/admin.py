from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: a message is sent by the relay, never edited by hand."""

    list_display = ("task", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("sent_at",)
    search_fields = ("task",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
