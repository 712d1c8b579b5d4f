"""A person's dated addresses and their visas, as the API reads and writes them."""

from rest_framework import serializers

from licensing.parties.models import PersonAddress, Visa

from .common import CountryCodeField, StrictSerializer, TextField


class PersonAddressWriteSerializer(StrictSerializer):
    """Where the person lives from `since_on`: the address before ends that day (history is kept)."""

    line1 = TextField(max_length=200)
    line2 = TextField(max_length=200, required=False, allow_blank=True, default="")
    city = TextField(max_length=100)
    region = TextField(max_length=100, required=False, allow_blank=True, default="", help_text="State or region.")
    postal_code = TextField(max_length=20, required=False, allow_blank=True, default="")
    country = CountryCodeField()
    since_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Empty for today.")


class PersonAddressSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id")

    class Meta:
        model = PersonAddress
        fields = ["line1", "line2", "city", "region", "postal_code", "country", "since_on", "ended_on"]
        read_only_fields = fields


class VisaWriteSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Visa.Kind.choices, help_text="The visa's type.")
    number = TextField(max_length=40, help_text="As printed on the visa foil; spaces are dropped.")
    expires_on = serializers.DateField()


class VisaSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)
    current = serializers.SerializerMethodField(help_text="Whether this is the latest visa recorded.")

    class Meta:
        model = Visa
        fields = ["kind", "number", "expires_on", "recorded_at", "recorded_by", "current"]
        read_only_fields = fields

    def get_current(self, visa) -> bool:
        return visa.pk == self.context.get("current_id")
