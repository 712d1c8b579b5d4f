from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.cases.decision import live_decision
from licensing.cases.models import Decision, Transaction
from licensing.reference.models import Activity

from .common import (
    AmountField,
    CountryCodeField,
    ExternalIdField,
    MomentField,
    RegexTextField,
    SlugTextField,
    StrictSerializer,
    TextField,
)


class TransactionWriteSerializer(StrictSerializer):
    """A transaction billing asks about. Posting the same external_id again replays it."""

    external_id = ExternalIdField(help_text="Billing's identifier; the idempotency key of the request.")
    customer = ExternalIdField(help_text="external_id of the customer.")
    person = ExternalIdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="external_id of the person (under the same customer) who receives access, if any.",
    )
    item = SlugTextField(max_length=40, help_text="Code of the controlled item, e.g. frontier-1.")
    activity = serializers.ChoiceField(choices=Activity.choices)
    destination_country = CountryCodeField(help_text="Where the item goes or is released.")
    quantity = AmountField(required=False, allow_null=True, default=None)
    value = AmountField(required=False, allow_null=True, default=None)
    currency = RegexTextField(
        r"^[A-Z]{3}$",
        required=False,
        default="USD",
        error_messages={"invalid": "Use a three-letter ISO 4217 code."},
    )
    end_use = TextField(max_length=2000, required=False, allow_blank=True, default="")
    requested_at = MomentField(required=False, help_text="When billing was asked; defaults to now.")


class TransactionLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    customer = serializers.CharField()
    application = serializers.CharField(allow_null=True)
    licence = serializers.CharField(allow_null=True)


class TransactionSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.external_id")
    person = serializers.CharField(source="person.external_id", allow_null=True, default=None)
    item = serializers.CharField(source="item.code")
    destination_country = serializers.CharField(source="destination_country_id")
    attributed_country = serializers.CharField(source="attributed_country_id", allow_null=True)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    decision = serializers.ChoiceField(
        choices=Decision.choices, help_text="authorised, hold, licence_required or refused."
    )
    reasons = serializers.ListField(child=serializers.CharField(), source="decision_reasons")
    licence = serializers.CharField(source="licence.number", allow_null=True, default=None)
    application = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Transaction
        fields = [
            "external_id",
            "customer",
            "person",
            "item",
            "activity",
            "destination_country",
            "quantity",
            "value",
            "currency",
            "end_use",
            "requested_at",
            "decision",
            "reasons",
            "decided_at",
            "attributed_country",
            "licence",
            "application",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Reference of the latest application."))
    def get_application(self, record):
        application = _latest_application(record)
        return application.reference if application else None

    @extend_schema_field(TransactionLinksSerializer)
    def get_links(self, record):
        application = _latest_application(record)
        return {
            "self": reverse("api:transaction", args=[record.external_id]),
            "customer": reverse("api:customer", args=[record.customer.external_id]),
            "application": reverse("api:application", args=[application.pk]) if application else None,
            "licence": reverse("api:licence", args=[record.licence.number]) if record.licence_id else None,
        }


def _latest_application(record):
    # Cached on the instance: both the reference and the link need it.
    if not hasattr(record, "_latest_application"):
        record._latest_application = record.applications.order_by("-created_at", "-pk").first()
    return record._latest_application


class LiveDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    licence = serializers.CharField(allow_null=True, source="licence.number", default=None)


class TransactionDetailSerializer(TransactionSerializer):
    """A transaction with its decision as recorded and, beside it, the access check's answer today."""

    live = serializers.SerializerMethodField(
        help_text="The decision as it stands now (what the access check answers for this transaction); "
        "`decision` and `reasons` are those recorded when it was decided."
    )

    class Meta(TransactionSerializer.Meta):
        fields = [*TransactionSerializer.Meta.fields, "live"]
        read_only_fields = fields

    @extend_schema_field(LiveDecisionSerializer)
    def get_live(self, record):
        return LiveDecisionSerializer(live_decision(record)).data
