"""Applications and licences as billing reads them: status, history, deadlines."""

from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.audit.models import Event
from licensing.cases import filters
from licensing.cases.models import (
    ApplicationType,
    ConsigneeStatement,
    InformationRequest,
    IntentToDenyResponse,
    Licence,
    LicenceApplication,
    LicenceUsage,
)
from licensing.deadlines.models import Deadline
from licensing.reference.models import Activity

from .common import (
    AmountField,
    CountryCodeField,
    ExternalIdField,
    MomentField,
    PageSerializer,
    StrictSerializer,
    TextField,
)

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


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
    # The stubs type .data as the one-object ReturnDict even with many=True, where DRF returns a ReturnList.
    return HistoryEntrySerializer(Event.objects.for_target(record).order_by("occurred_at", "pk"), many=True).data  # type: ignore[return-value]


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
    country = serializers.CharField(
        source="country_id",
        allow_null=True,
        help_text="ISO code of the country of ultimate destination as filed: the destination, or for a deemed "
        "export or reexport the attribution country. Null on an application older than the field.",
    )
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
            "country",
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


class ConsigneeStatementSerializer(serializers.ModelSerializer):
    consignee_country = serializers.CharField(source="consignee_country_id")
    consignee_customer = serializers.CharField(source="consignee_customer.external_id", allow_null=True, default=None)
    document = serializers.CharField(source="document.original_name", help_text="Name of the signed PDF.")

    class Meta:
        model = ConsigneeStatement
        fields = [
            "id",
            "consignee_name",
            "consignee_country",
            "consignee_customer",
            "signer_name",
            "signer_title",
            "signed_on",
            "document",
            "recorded_at",
        ]
        read_only_fields = fields


class InformationRequestSerializer(serializers.ModelSerializer):
    open = serializers.BooleanField(source="is_open", help_text="Not yet answered: BIS's 90-day clock is stopped.")

    class Meta:
        model = InformationRequest
        fields = ["id", "requested_on", "questions", "respond_by", "open", "answered_on", "answer", "recorded_at"]
        read_only_fields = fields


class IntentToDenyResponseSerializer(serializers.ModelSerializer):
    document = serializers.CharField(source="original_name", allow_null=True, help_text="Name of the document sent.")

    class Meta:
        model = IntentToDenyResponse
        fields = ["id", "notified_on", "responded_on", "text", "document", "recorded_at"]
        read_only_fields = fields

    def to_representation(self, response):
        data = super().to_representation(response)
        data["document"] = data["document"] or None
        return data


class ApplicationDetailSerializer(ApplicationSerializer):
    history = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    consignee_statements = serializers.SerializerMethodField()
    information_requests = serializers.SerializerMethodField()
    intent_to_deny_responses = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = ApplicationSerializer.Meta.fields + [
            "history",
            "deadlines",
            "consignee_statements",
            "information_requests",
            "intent_to_deny_responses",
        ]
        read_only_fields = fields

    @extend_schema_field(ConsigneeStatementSerializer(many=True))
    def get_consignee_statements(self, application):
        statements = application.consignee_statements.select_related("document", "consignee_customer")
        return ConsigneeStatementSerializer(statements, many=True).data

    @extend_schema_field(InformationRequestSerializer(many=True))
    def get_information_requests(self, application):
        return InformationRequestSerializer(application.information_requests.all(), many=True).data

    @extend_schema_field(IntentToDenyResponseSerializer(many=True))
    def get_intent_to_deny_responses(self, application):
        return IntentToDenyResponseSerializer(application.intent_to_deny_responses.all(), many=True).data

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
            "authorised_calls",
            "authorised_tokens",
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
    """The query of the applications list; the officers' list filters by the same FilterSet (cases.filters)."""

    status = serializers.ChoiceField(choices=LicenceApplication.Status.choices, required=False)
    stage = serializers.ChoiceField(choices=filters.STAGES, required=False, help_text="`review`: in review.")
    assigned = serializers.ChoiceField(
        choices=filters.ASSIGNED, required=False, help_text="`nobody`: the unassigned pool. A token is nobody's `me`."
    )
    type = serializers.ChoiceField(choices=ApplicationType.choices, required=False)
    due = serializers.ChoiceField(
        choices=filters.DUE, required=False, help_text="Against the application's next running deadline."
    )


class LicenceFilterSerializer(CaseFilterSerializer):
    """The query of the licences list; the officers' list filters by the same FilterSet (cases.filters)."""

    status = serializers.ChoiceField(
        choices=Licence.Status.choices, required=False, help_text="As it stands today: past its last day, expired."
    )
    activity = serializers.ChoiceField(choices=Activity.choices, required=False)
    country = CountryCodeField(
        required=False, help_text="Destination, or for a deemed release the attribution country."
    )
    expiring = serializers.ChoiceField(
        choices=filters.EXPIRING, required=False, help_text="In force today and ending within so many days."
    )
    expiring_before = serializers.DateField(
        required=False, help_text="In force today and ending before this day (YYYY-MM-DD)."
    )


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


class ConsigneeStatementWriteSerializer(StrictSerializer):
    signer_name = TextField(max_length=150, help_text="Who signed the statement.")
    signer_title = TextField(max_length=150, help_text="The signer's title, as printed under the signature.")
    signed_on = serializers.DateField(help_text="The day it was signed; not after today, nor over four years ago.")
    document = serializers.FileField(help_text="The signed statement, a PDF.")


class InformationRequestWriteSerializer(StrictSerializer):
    questions = TextField(max_length=20_000, help_text="What BIS asked for.")
    respond_by = serializers.DateField(help_text="The day BIS wants the answer by.")
    requested_on = serializers.DateField(required=False, help_text="The day BIS asked; defaults to today.")


class InformationSuppliedWriteSerializer(StrictSerializer):
    answer = TextField(max_length=20_000, required=False, allow_blank=True, default="")
    supplied_on = serializers.DateField(required=False, help_text="The day it was supplied; defaults to today.")


class IntentToDenyResponseWriteSerializer(StrictSerializer):
    responded_on = serializers.DateField(help_text="The day the response was sent.")
    text = TextField(max_length=20_000, help_text="The response, or its gist if it went as a document.")
    document = serializers.FileField(required=False, help_text="The document sent (multipart/form-data only).")
