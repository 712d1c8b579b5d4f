from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .lockout import unlock_sign_in, unlock_throttle
from .models import Throttle, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("ExportDesk", {"fields": ("role",)}))
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("ExportDesk", {"fields": ("role",)}),)
    actions = ["unlock_sign_in"]

    @admin.action(description="Unlock sign-in (password and second factor)", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            unlock_sign_in(user=user, actor=request.user)
        self.message_user(request, f"Sign-in unlocked for {queryset.count()} user(s).")


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin):
    """Failure counts and locks, read-only: they change by sign-in attempts and the unlock action alone."""

    list_display = ("scope", "key", "failures", "window_started_at", "locked_until")
    list_filter = ("scope",)
    search_fields = ("key",)
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Unlock and forget the failures", permissions=["view"])
    def unlock(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "Only a superuser may unlock.", level="error")
            return
        for locked in queryset:
            unlock_throttle(locked=locked, actor=request.user)
        self.message_user(request, f"{queryset.count()} lock(s) lifted.")
