"""The deadline list's query and its rows, as GET /api/v1/deadlines reads and answers them."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from licensing.deadlines.models import Deadline, Kind
from licensing.deadlines.notifications import site_url

from ..errors import UNPROCESSABLE
from .common import StrictIntegerField

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


class DeadlinePageSerializer(serializers.Serializer):
    """Which page of the list to answer: read here and published in the schema from these fields alone."""

    limit = StrictIntegerField(
        min_value=1,
        required=False,
        help_text=f"How many deadlines to return: {DEFAULT_LIMIT} if left out, at most {MAX_LIMIT} however many asked.",
    )
    offset = StrictIntegerField(min_value=0, required=False, help_text="How many deadlines to skip first.")


class DeadlineSubjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model of the record the clock runs on")
    id = serializers.IntegerField()
    description = serializers.CharField()


class DeadlineUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class DeadlineSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    subject = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    reviewer = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "subject",
            "application",
            "starts_on",
            "due_on",
            "stopped_days",
            "paused_since",
            "settled_on",
            "basis",
            "owner",
            "reviewer",
            "overdue",
            "url",
        ]

    @extend_schema_field(DeadlineSubjectSerializer)
    def get_subject(self, deadline):
        return {
            "type": f"{deadline.subject_type.app_label}.{deadline.subject_type.model}",
            "id": deadline.subject_id,
            "description": deadline.subject_repr,
        }

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The case's reference, e.g. EXD-000012"))
    def get_application(self, deadline):
        return deadline.application.reference if deadline.application_id else None

    @extend_schema_field(DeadlineUserSerializer(allow_null=True))
    def get_owner(self, deadline):
        return _person(deadline.owner)

    @extend_schema_field(DeadlineUserSerializer(allow_null=True))
    def get_reviewer(self, deadline):
        return _person(deadline.reviewer)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, deadline):
        return deadline.is_overdue(self.context["today"])

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, deadline):
        return site_url(reverse("deadlines:detail", args=[deadline.pk]))


def _person(user):
    return {"id": user.pk, "username": user.get_username()} if user is not None else None


DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DayField(serializers.DateField):
    """A calendar day written as the schema's `format: date` has it, YYYY-MM-DD, and nothing looser."""

    def to_internal_value(self, value):
        if isinstance(value, str) and DAY_RE.fullmatch(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise serializers.ValidationError(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-05-01.")


class ChoiceListField(serializers.RegexField):
    """One or more of a fixed set of values in one query parameter, separated by commas: open,missed."""

    def __init__(self, choices, **kwargs):
        self.choices = list(choices)
        one = "(" + "|".join(re.escape(choice) for choice in self.choices) + ")"
        # The schema publishes this pattern; it admits exactly the lists to_internal_value accepts.
        super().__init__(rf"\A{one}(,{one})*\Z", trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        unknown = [value for value in text.split(",") if value not in self.choices]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown {self.field_name} {', '.join(map(repr, unknown))}; use one of {', '.join(self.choices)}."
            )
        return text

    def run_validation(self, data=empty):
        # Checked as the text the schema describes, handed on as the list the queryset wants.
        return super().run_validation(data).split(",")


class OwnerField(serializers.RegexField):
    """A user's id, or 'me' for the person asking; one that names nobody is unprocessable (422)."""

    def __init__(self, **kwargs):
        super().__init__(
            r"\A(me|[0-9]+)\Z",
            trim_whitespace=False,
            # The validator fills in the value it refused.
            error_messages={"invalid": "%(value)r is not a user id; give a number or 'me'."},
            **kwargs,
        )

    def run_validation(self, data=empty):
        text = super().run_validation(data)
        user_model = get_user_model()
        if text == "me":
            user = self.context["request"].user
            if not isinstance(user, user_model):
                raise serializers.ValidationError(
                    "'me' names a signed-in person; an API client owns no deadlines.", code=UNPROCESSABLE
                )
            return user.pk
        if not user_model.objects.filter(pk=int(text)).exists():
            raise serializers.ValidationError(f"There is no user with id {text}.", code=UNPROCESSABLE)
        return int(text)


class DeadlineFilterSerializer(serializers.Serializer):
    """The list's filters: the query string is read, and the schema's parameters are written, from these alone.

    Each field's source is the queryset lookup its value goes to.
    """

    due_before = DayField(
        required=False, source="due_on__lt", help_text="Only deadlines due before this day (YYYY-MM-DD)."
    )
    status = ChoiceListField(
        Deadline.Status.values,
        required=False,
        source="status__in",
        help_text=f"One or more of {', '.join(Deadline.Status.values)}, separated by commas.",
    )
    kind = ChoiceListField(
        Kind.values, required=False, source="kind__in", help_text="One or more deadline kinds, separated by commas."
    )
    owner = OwnerField(required=False, source="owner_id", help_text="A user id, or 'me' for your own deadlines.")
