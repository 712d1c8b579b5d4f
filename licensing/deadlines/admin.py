from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin

from .models import Deadline, Digest, Notification, Reminder, Subscription


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ("offset", "recipient", "delivery", "claimed_at", "emailed_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Deadlines are derived from the event log and reminders are claims: both
# read-only here; officers settle deadlines on the deadline's page.
@admin.register(Deadline)
class DeadlineAdmin(RoleAdmin):
    list_display = ("kind", "subject_repr", "due_on", "status", "owner", "paused_since", "settled_on")
    list_filter = ("status", "kind")
    search_fields = ("subject_repr", "owner__username", "application__snapr_control_number")
    list_select_related = ("owner",)
    readonly_fields = [f.name for f in Deadline._meta.fields]
    date_hierarchy = "due_on"
    inlines = [ReminderInline]


@admin.register(Reminder)
class ReminderAdmin(RoleAdmin):
    list_display = ("deadline", "offset", "recipient", "delivery", "claimed_at", "emailed_at")
    list_filter = ("delivery", "offset")
    list_select_related = ("deadline", "recipient")
    readonly_fields = [f.name for f in Reminder._meta.fields]


@admin.register(Digest)
class DigestAdmin(RoleAdmin):
    list_display = ("recipient", "on", "claimed_at", "emailed_at")
    readonly_fields = [f.name for f in Digest._meta.fields]


@admin.register(Notification)
class NotificationAdmin(RoleAdmin):
    list_display = ("title", "recipient", "created_at", "read_at")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(Subscription)
class SubscriptionAdmin(RoleAdmin):
    list_display = ("user", "daily_digest", "calendar_token_created_at")
    readonly_fields = [f.name for f in Subscription._meta.fields]
