from rest_framework import serializers

from licensing.gateway.models import ModelApiKey
from licensing.parties.models import Customer

from .common import StrictSerializer, TextField


class ModelApiKeyWriteSerializer(StrictSerializer):
    name = TextField(max_length=100, help_text="What billing calls the key, e.g. the account or project it serves.")


class ModelApiKeyRevocationSerializer(StrictSerializer):
    reason = TextField(max_length=300, help_text="Why the key is revoked; recorded in the event log.")


class ModelApiKeySerializer(serializers.ModelSerializer):
    customer: "serializers.SlugRelatedField[Customer]" = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True
    )

    class Meta:
        model = ModelApiKey
        fields = ["id", "customer", "name", "prefix", "created_at", "revoked_at", "revoked_reason"]
        read_only_fields = fields


class RegisteredModelApiKeySerializer(ModelApiKeySerializer):
    key = serializers.CharField(help_text="Shown only in this response; ExportDesk keeps only its hash.")

    class Meta(ModelApiKeySerializer.Meta):
        fields = ModelApiKeySerializer.Meta.fields + ["key"]
