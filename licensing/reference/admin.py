from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin
from licensing.accounts.permissions import Action

from .models import ControlledItem, Country, CountryGroup, CountryGroupMembership, LicenceRequirement


class ReferenceAdmin(RoleAdmin):
    change_action = Action.MANAGE_REFERENCE_DATA


@admin.register(Country)
class CountryAdmin(ReferenceAdmin):
    list_display = ("code", "name", "ear_name")
    search_fields = ("code", "name", "ear_name")


class MembershipInline(admin.TabularInline):
    model = CountryGroupMembership
    extra = 0
    autocomplete_fields = ("country",)


@admin.register(CountryGroup)
class CountryGroupAdmin(ReferenceAdmin):
    list_display = ("code", "label")
    search_fields = ("code", "label")
    inlines = [MembershipInline]


@admin.register(CountryGroupMembership)
class CountryGroupMembershipAdmin(ReferenceAdmin):
    list_display = ("group", "country", "effective_from", "effective_until", "source")
    list_filter = ("group", "effective_from")
    search_fields = ("country__name", "country__code", "group__code")
    autocomplete_fields = ("country",)


@admin.register(ControlledItem)
class ControlledItemAdmin(ReferenceAdmin):
    list_display = ("code", "name", "eccn", "manufacturer")
    search_fields = ("code", "name", "eccn")
    list_filter = ("eccn",)


@admin.register(LicenceRequirement)
class LicenceRequirementAdmin(ReferenceAdmin):
    list_display = ("title", "issuing_authority", "issued_on", "scope", "effective_from", "effective_until")
    list_filter = ("scope", "licence_exceptions_excluded", "application_per_transaction")
    search_fields = ("title", "letter_reference", "legal_basis", "text")
    filter_horizontal = ("items", "country_groups")
