from django.contrib import admin

from licensing.accounts.permissions import Action, user_can

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_label", "verb", "target_type", "target_repr", "reason")
    list_filter = ("verb", "target_type", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("target_repr", "actor_label", "verb", "reason", "target_id")
    date_hierarchy = "occurred_at"
    list_select_related = ("target_type",)

    # The log is append-only: nobody adds, edits or deletes through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return user_can(request.user, Action.VIEW_AUDIT_LOG)

    def has_module_permission(self, request):
        return self.has_view_permission(request)
