"""GET /api/v1/deadlines: the deadlines, filtered by due day, status, kind and owner."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission, IsAuthenticated

from licensing.accounts.permissions import Action, user_can
from licensing.api.errors import problems

from .models import Deadline, Kind
from .notifications import site_url


class CanViewCases(BasePermission):
    message = "Your role does not allow viewing cases and their deadlines."

    def has_permission(self, request, view):
        return user_can(request.user, Action.VIEW_CASES)


class DeadlinePagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 500


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


def parse_filters(params, *, user) -> dict:
    """Turn the query string into queryset filters; raise ValidationError naming each bad parameter."""
    filters, errors = {}, {}
    if params.get("due_before"):
        raw = params["due_before"]
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            errors["due_before"] = [f"{raw!r} is not a date; use YYYY-MM-DD, e.g. 2026-05-01."]
        else:
            filters["due_on__lt"] = day
    for name, choices in (("status", Deadline.Status.values), ("kind", Kind.values)):
        if params.get(name):
            wanted = [value.strip() for value in params[name].split(",") if value.strip()]
            unknown = [value for value in wanted if value not in choices]
            if unknown:
                errors[name] = [f"Unknown {name} {', '.join(map(repr, unknown))}; use one of {', '.join(choices)}."]
            else:
                filters[f"{name}__in"] = wanted
    if params.get("owner"):
        raw = params["owner"].strip()
        if raw == "me":
            if getattr(user, "pk", None) is None:
                errors["owner"] = ["'me' names a signed-in person; an API client owns no deadlines."]
            else:
                filters["owner_id"] = user.pk
        elif not raw.isdigit():
            errors["owner"] = [f"{raw!r} is not a user id; give a number or 'me'."]
        elif not get_user_model().objects.filter(pk=int(raw)).exists():
            errors["owner"] = [f"There is no user with id {raw}."]
        else:
            filters["owner_id"] = int(raw)
    if errors:
        raise ValidationError(errors)
    return filters


def _comma_list(values) -> str:
    # Documents the accepted values, so a client generated from the schema sends only those.
    one = "(" + "|".join(values) + ")"
    return f"^{one}(,{one})*$"


@extend_schema(
    tags=["deadlines"],
    parameters=[
        OpenApiParameter("due_before", OpenApiTypes.DATE, description="Only deadlines due before this day."),
        OpenApiParameter(
            "status",
            str,
            description="open, met, missed or cancelled; several separated by commas.",
            pattern=_comma_list(Deadline.Status.values),
        ),
        OpenApiParameter(
            "kind", str, description="A deadline kind; several separated by commas.", pattern=_comma_list(Kind.values)
        ),
        OpenApiParameter("owner", str, description="A user id, or 'me'.", pattern="^(me|[0-9]+)$"),
    ],
    responses={200: DeadlineSerializer(many=True), **problems(400)},
)
class DeadlineList(ListAPIView):
    """List deadlines, soonest first. Filters: due_before (YYYY-MM-DD, exclusive), status, kind, owner (id or 'me').

    status and kind accept several values separated by commas.
    """

    serializer_class = DeadlineSerializer
    permission_classes = [IsAuthenticated, CanViewCases]
    pagination_class = DeadlinePagination

    def get_queryset(self):
        filters = parse_filters(self.request.query_params, user=self.request.user)
        return (
            Deadline.objects.filter(**filters)
            .select_related("owner", "reviewer", "application", "subject_type")
            .order_by("due_on", "pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
