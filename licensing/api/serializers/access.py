from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from licensing.cases.models import Decision
from licensing.reference.models import Activity

from ..errors import ProblemSerializer
from .common import CountryCodeField, ExternalIdField, SlugTextField, StrictSerializer


class AccessQuerySerializer(StrictSerializer):
    customer = ExternalIdField(help_text="external_id of the customer.")
    item = SlugTextField(max_length=40, help_text="Code of the controlled item.")
    person = ExternalIdField(
        required=False, help_text="external_id of the person (under the customer) who would get access."
    )
    activity = serializers.ChoiceField(choices=Activity.choices, required=False, help_text="Defaults to export.")
    country = CountryCodeField(
        required=False,
        help_text="Destination or place of release; defaults to the person's location, "
        "else the customer's country of incorporation or headquarters.",
    )
    transaction = ExternalIdField(
        required=False,
        help_text="external_id of the transaction asked about, if any: it must be this customer's (and person's) "
        "transaction for this item. Its activity and destination are used unless given. Where the licence "
        "requirement wants one licence per transaction, only the licence issued for this transaction counts, "
        "and a check that names no transaction is covered by no licence.",
    )


class AccessLicenceSerializer(serializers.Serializer):
    number = serializers.CharField()
    valid_until = serializers.DateField()
    link = serializers.CharField()


class AccessAnswerSerializer(serializers.Serializer):
    allowed = serializers.BooleanField(help_text="True only when the decision is authorised.")
    decision = serializers.ChoiceField(choices=Decision.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    licence = AccessLicenceSerializer(allow_null=True, help_text="The licence the authorisation relies on.")
    attributed_country = serializers.CharField(allow_null=True)
    checked_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="AccessProblemDetails")
class AccessProblemSerializer(ProblemSerializer):
    allowed = serializers.BooleanField(help_text="Always false: a failed check never grants access.")
