from rest_framework import serializers


class ReplaySerializer(serializers.Serializer):
    """A recorded decision replayed on the facts of its time (`licensing.cases.replay`)."""

    transaction = serializers.CharField(source="transaction.external_id")
    decided_at = serializers.DateTimeField(allow_null=True, help_text="When the replayed decision was made.")
    on = serializers.DateField(allow_null=True, help_text="The day it was decided for.")
    recorded_decision = serializers.CharField(allow_blank=True)
    recorded_reasons = serializers.ListField(child=serializers.CharField())
    replayed = serializers.BooleanField(help_text="False when the decision cannot be replayed: see missing.")
    decision = serializers.CharField(allow_null=True, help_text="What the rules give again; null when not replayed.")
    reasons = serializers.ListField(child=serializers.CharField())
    matches = serializers.BooleanField(
        allow_null=True, help_text="Whether the replay gives the recorded decision and reasons; null when not replayed."
    )
    missing = serializers.ListField(child=serializers.CharField(), help_text="Why it could not be replayed.")
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="What has changed since: left out, or put back as it was."
    )
    requirement_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Requirements in force then.")
    list_version_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Restricted-party list versions in force then."
    )
