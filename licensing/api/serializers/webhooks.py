from rest_framework import serializers

from ..errors import UNPROCESSABLE
from ..models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from ..webhooks.destinations import destination_problem
from .common import MAX_LIST_ITEMS, PageSerializer, StrictBooleanField, StrictSerializer, TextField


def _checked_url(value):
    problem = destination_problem(value)
    if problem:
        # Well-formed text that cannot receive webhooks: the request is understood and refused (422).
        raise serializers.ValidationError(problem, code=UNPROCESSABLE)
    return value


class SubscriptionWriteSerializer(StrictSerializer):
    name = TextField(max_length=100)
    # Checked by destination_problem alone, so every refusal names the same rule: an https:// address
    # outside this network (http:// only to this machine, when allowed).
    url = TextField(max_length=500, validators=[_checked_url], help_text="An https:// URL that receives the events.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=MAX_LIST_ITEMS
    )
    secret = TextField(
        min_length=32,
        max_length=128,
        required=False,
        write_only=True,
        help_text="Shared secret for the signatures; generated when left out.",
    )
    active = StrictBooleanField(required=False, default=True)


class SubscriptionUpdateSerializer(SubscriptionWriteSerializer):
    """Any subset of the fields; a new secret replaces the old one at once."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "active", "created_at", "updated_at"]
        read_only_fields = fields


class CreatedSubscriptionSerializer(SubscriptionSerializer):
    secret = serializers.CharField(help_text="Shown only in this response; keep it to check signatures.")

    class Meta(SubscriptionSerializer.Meta):
        fields = SubscriptionSerializer.Meta.fields + ["secret"]
        read_only_fields = fields


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    attempt_log = AttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "delivered_at",
            "attempt_log",
        ]
        read_only_fields = fields


class DeliveryFilterSerializer(PageSerializer):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)
