from django.contrib import admin

from licensing.accounts.admin_access import RoleAdmin
from licensing.accounts.permissions import Action, user_can

from . import services
from .models import Customer, CustomerAddress, EvidenceDocument, Ownership, Person, PersonAddress, StatusRecord, Visa

# The admin shows these records; they are written on the customer's and the
# person's pages or through the API, whose services record the event, screen
# the changed party and re-decide what waits on it.


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AddressInline(ReadOnlyInline):
    model = CustomerAddress


class OwnershipInline(ReadOnlyInline):
    model = Ownership
    fk_name = "owned"


def _changed(form, exclude=()) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name not in exclude}


@admin.register(Customer)
class CustomerAdmin(RoleAdmin):
    change_action = Action.EDIT_PARTIES
    list_display = ("legal_name", "external_id", "kind", "country_of_incorporation", "status", "updated_at")
    list_filter = ("kind", "status", "country_of_incorporation")
    search_fields = ("legal_name", "external_id", "aliases")
    autocomplete_fields = ("country_of_incorporation", "headquarters_country", "ultimate_parent")
    inlines = [AddressInline, OwnershipInline]
    list_select_related = ("country_of_incorporation",)

    def get_readonly_fields(self, request, obj=None):
        # Standing changes go through set_customer_status (the customer's page), which tells billing and
        # re-decides; billing asks by external_id, so it is fixed once the customer exists.
        fixed = ("status", "status_reason")
        return (*fixed, "external_id") if obj is not None else fixed

    def save_model(self, request, obj, form, change):
        # Through the service the pages and the API call: the event, the screening of a new name.
        saved, _ = services.save_customer(
            actor=request.user, external_id=obj.external_id, **_changed(form, exclude=("external_id",))
        )
        obj.pk = saved.pk


class StatusRecordInline(ReadOnlyInline):
    model = StatusRecord


class EvidenceInline(ReadOnlyInline):
    model = EvidenceDocument
    fields = ("kind", "original_name", "description", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return user_can(request.user, Action.VIEW_EVIDENCE)


class PersonAddressInline(ReadOnlyInline):
    model = PersonAddress


class VisaInline(ReadOnlyInline):
    model = Visa
    fields = ("kind", "number", "expires_on", "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # The number is personal evidence, as on the person's page.
        return user_can(request.user, Action.VIEW_EVIDENCE)


@admin.register(Person)
class PersonAdmin(RoleAdmin):
    change_action = Action.EDIT_PARTIES
    list_display = ("__str__", "customer", "relationship", "location_country", "external_id")
    list_filter = ("relationship", "location_country")
    search_fields = ("given_name", "family_name", "external_id", "email", "customer__legal_name")
    autocomplete_fields = ("customer", "employer", "location_country")
    inlines = [StatusRecordInline, PersonAddressInline, VisaInline, EvidenceInline]
    list_select_related = ("customer", "location_country")

    def get_exclude(self, request, obj=None):
        # A date of birth is personal evidence: compliance roles only.
        if not user_can(request.user, Action.VIEW_EVIDENCE):
            return ("date_of_birth",)
        return ()

    def save_model(self, request, obj, form, change):
        saved = services.save_person(
            actor=request.user, person=obj if change else None, **(_changed(form) if change else form.cleaned_data)
        )
        obj.pk = saved.pk


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(RoleAdmin):
    view_action = Action.VIEW_EVIDENCE
    list_display = ("person", "kind", "original_name", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("person__given_name", "person__family_name", "original_name")
    readonly_fields = ("person", "kind", "original_name", "description", "uploaded_by", "uploaded_at")
    exclude = ("file",)


@admin.register(Ownership)
class OwnershipAdmin(RoleAdmin):
    # Recorded on the customer's page (record_ownership), which checks the shares add up.
    list_display = ("owned", "owner", "owner_name", "percentage", "verified_on", "source")
    search_fields = ("owned__legal_name", "owner__legal_name", "owner_name")
    list_filter = ("verified_on",)
    autocomplete_fields = ("owned", "owner")
