"""Screening records in the admin: read-only, since every change goes through the services."""

from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin

from .models import Hit, ListEntry, ListImport, ListVersion, Rescreen, SubjectScreening


@admin.register(ListVersion)
class ListVersionAdmin(RoleAdmin):
    list_display = ("__str__", "feed", "published_on", "status", "entry_count", "row_count", "created_at")
    list_filter = ("feed", "status")
    search_fields = ("source", "digest")
    date_hierarchy = "published_on"


@admin.register(ListEntry)
class ListEntryAdmin(RoleAdmin):
    list_display = ("name", "list_code", "type", "entity_number", "version")
    list_filter = ("list_code", "type", "version__feed", "version__status")
    search_fields = ("name", "key", "entity_number")
    list_select_related = ("version",)
    show_full_result_count = False


@admin.register(ListImport)
class ListImportAdmin(RoleAdmin):
    list_display = ("__str__", "status", "phase", "processed", "total", "version", "created_at", "finished_at")
    list_filter = ("feed", "status")
    search_fields = ("error",)


@admin.register(Rescreen)
class RescreenAdmin(RoleAdmin):
    list_display = ("__str__", "subjects", "created_at", "finished_at")


@admin.register(SubjectScreening)
class SubjectScreeningAdmin(RoleAdmin):
    list_display = ("__str__", "screened_at", "match_count")
    list_select_related = ("customer", "person", "party")
    raw_id_fields = ("customer", "person", "party")


@admin.register(Hit)
class HitAdmin(RoleAdmin):
    list_display = ("__str__", "status", "score", "entry_key", "first_matched_at", "last_matched_at")
    list_filter = ("status", "entry__list_code")
    search_fields = ("subject_name", "matched_name", "entry_key")
    list_select_related = ("customer", "person", "party", "entry")
    raw_id_fields = ("customer", "person", "party", "entry")
