from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.policy.models import RuleChange

from ..errors import problems
from ..serializers.policy import RuleChangeSerializer
from .base import ApiView


def _changes():
    return RuleChange.objects.select_related("requirement", "item", "drafted_by", "approved_by").prefetch_related(
        "customers"
    )


class RuleChangeListView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="rule_changes_list",
        summary="List rule changes, newest first",
        description="Relaxations of licence requirements and new requirements: drafts, simulated, approved "
        "(with the day they take effect), in force or withdrawn, each with its latest simulation.",
        responses={200: RuleChangeSerializer(many=True), **problems(400)},
        tags=["rule changes"],
    )
    def get(self, request):
        page = self.paginate_queryset(_changes().order_by("-pk"))
        return self.get_paginated_response(RuleChangeSerializer(page, many=True).data)


class RuleChangeView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="rule_changes_retrieve",
        summary="Read a rule change and its latest simulation",
        parameters=[
            OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The change's number.")
        ],
        responses={200: RuleChangeSerializer, **problems(404)},
        tags=["rule changes"],
    )
    def get(self, request, pk: int):
        change = _changes().filter(pk=pk).first()
        if change is None:
            raise exceptions.NotFound(f"No rule change has the number {pk}.")
        return Response(RuleChangeSerializer(change).data)
