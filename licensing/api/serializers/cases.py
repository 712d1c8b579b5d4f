"""Applications and licences as billing reads them: status, history, deadlines."""

from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, LicenceUsage
from licensing.deadlines.models import Deadline

from .common import AmountField, ExternalIdField, MomentField, PageSerializer, StrictSerializer

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class HistoryEntrySerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    event = serializers.CharField(source="verb", help_text="What happened, e.g. application.record_registration.")
    status_before = serializers.SerializerMethodField()
    status_after = serializers.SerializerMethodField()
    reason = serializers.CharField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_status_before(self, event):
        return (event.before or {}).get("status")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_status_after(self, event):
        return (event.after or {}).get("status")


class CaseDeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = ["kind", "status", "starts_on", "due_on", "stopped_days", "paused_since", "settled_on", "basis"]
        read_only_fields = fields


def history_of(record) -> list:
    return HistoryEntrySerializer(Event.objects.for_target(record).order_by("occurred_at", "pk"), many=True).data


class ApplicationLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    transaction = serializers.CharField()
    customer = serializers.CharField()
    licence = serializers.CharField(allow_null=True)


class ApplicationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    transaction = serializers.CharField(source="transaction.external_id")
    customer = serializers.CharField(source="customer.external_id")
    person = serializers.CharField(source="person.external_id", allow_null=True, default=None)
    status_label = serializers.CharField(source="get_status_display")
    licence = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = LicenceApplication
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "application_type",
            "transaction",
            "customer",
            "person",
            "snapr_control_number",
            "submitted_on",
            "registered_on",
            "licence",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Number of the licence issued."))
    def get_licence(self, application):
        licence = _licence_of(application)
        return licence.number if licence else None

    @extend_schema_field(ApplicationLinksSerializer)
    def get_links(self, application):
        licence = _licence_of(application)
        return {
            "self": reverse("api:application", args=[application.pk]),
            "transaction": reverse("api:transaction", args=[application.transaction.external_id]),
            "customer": reverse("api:customer", args=[application.customer.external_id]),
            "licence": reverse("api:licence", args=[licence.number]) if licence else None,
        }


class ApplicationDetailSerializer(ApplicationSerializer):
    history = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = ApplicationSerializer.Meta.fields + ["history", "deadlines"]
        read_only_fields = fields

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, application):
        return history_of(application)

    @extend_schema_field(CaseDeadlineSerializer(many=True))
    def get_deadlines(self, application):
        return CaseDeadlineSerializer(Deadline.objects.filter(application=application), many=True).data


def _licence_of(application):
    try:
        return application.licence
    except Licence.DoesNotExist:
        return None


class LicenceLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    usage = serializers.CharField()
    application = serializers.CharField()
    customer = serializers.CharField()


class LicenceSerializer(serializers.ModelSerializer):
    # As it stands today: past its last valid day a licence reads expired before the nightly task records it.
    status = serializers.ChoiceField(source="standing", choices=Licence.Status.choices, read_only=True)
    application = serializers.CharField(source="application.reference")
    customer = serializers.CharField(source="customer.external_id")
    person = serializers.CharField(source="person.external_id", allow_null=True, default=None)
    item = serializers.CharField(source="item.code")
    country = serializers.CharField(source="country_id")
    authorised_quantity = serializers.DecimalField(allow_null=True, **AMOUNT)
    authorised_value = serializers.DecimalField(allow_null=True, **AMOUNT)
    quantity_used = serializers.DecimalField(**AMOUNT)
    value_used = serializers.DecimalField(**AMOUNT)
    remaining_quantity = serializers.DecimalField(allow_null=True, **AMOUNT)
    remaining_value = serializers.DecimalField(allow_null=True, **AMOUNT)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "number",
            "status",
            "application",
            "customer",
            "person",
            "item",
            "activity",
            "country",
            "covers_employees",
            "valid_from",
            "valid_until",
            "authorised_quantity",
            "authorised_value",
            "quantity_used",
            "value_used",
            "remaining_quantity",
            "remaining_value",
            "issued_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(LicenceLinksSerializer)
    def get_links(self, licence):
        path = reverse("api:licence", args=[licence.number])
        return {
            "self": path,
            "usage": path + "/usage",
            "application": reverse("api:application", args=[licence.application_id]),
            "customer": reverse("api:customer", args=[licence.customer.external_id]),
        }


class LicenceDetailSerializer(LicenceSerializer):
    conditions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()

    class Meta(LicenceSerializer.Meta):
        fields = LicenceSerializer.Meta.fields + ["conditions", "history", "deadlines"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_conditions(self, licence):
        return [condition.text for condition in licence.conditions.all()]

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, licence):
        return history_of(licence)

    @extend_schema_field(CaseDeadlineSerializer(many=True))
    def get_deadlines(self, licence):
        return CaseDeadlineSerializer(Deadline.objects.for_subject(licence), many=True).data


class CaseFilterSerializer(PageSerializer):
    customer = ExternalIdField(required=False, help_text="external_id of the customer.")
    updated_since = MomentField(required=False)


class ApplicationFilterSerializer(CaseFilterSerializer):
    status = serializers.ChoiceField(choices=LicenceApplication.Status.choices, required=False)


class LicenceFilterSerializer(CaseFilterSerializer):
    status = serializers.ChoiceField(choices=Licence.Status.choices, required=False)


class UsageWriteSerializer(StrictSerializer):
    transaction = ExternalIdField(help_text="external_id of the transaction that used the licence.")
    quantity = AmountField(required=False, default=Decimal(0))
    value = AmountField(required=False, default=Decimal(0))
    used_on = serializers.DateField(required=False, help_text="The day of use; defaults to today.")


class UsageSerializer(serializers.ModelSerializer):
    licence = serializers.CharField(source="licence.number")
    transaction = serializers.CharField(source="transaction.external_id")
    quantity = serializers.DecimalField(**AMOUNT)
    value = serializers.DecimalField(**AMOUNT)

    class Meta:
        model = LicenceUsage
        fields = ["licence", "transaction", "quantity", "value", "used_on", "recorded_at"]
        read_only_fields = fields


class UsageResultSerializer(serializers.Serializer):
    usage = UsageSerializer()
    licence = LicenceSerializer()
