"""GET /api/v1/deadlines: the deadlines, filtered by due day, status, kind and owner."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination

from licensing.accounts.permissions import Action
from licensing.deadlines.models import Deadline

from ..errors import problems
from ..permissions import RoleAllows
from ..serializers.deadlines import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    DeadlineFilterSerializer,
    DeadlinePageSerializer,
    DeadlineSerializer,
)


class DeadlinePagination(LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        # The paginator alone would quietly use its defaults for a malformed
        # limit or offset; the schema promises a 400 naming it instead.
        DeadlinePageSerializer(data=request.query_params.dict()).is_valid(raise_exception=True)
        return super().paginate_queryset(queryset, request, view)


@extend_schema(
    tags=["deadlines"],
    parameters=[DeadlineFilterSerializer, DeadlinePageSerializer],
    responses={
        200: DeadlineSerializer(many=True),
        **problems(
            400,
            422,
            descriptions={
                400: "A filter, limit or offset is malformed or not a value it accepts; `errors` names each parameter.",
                422: "owner names no user, or is 'me' from an API client, which owns no deadlines; "
                "`errors` names the parameter.",
            },
        ),
    },
)
class DeadlineList(ListAPIView):
    """List deadlines, soonest first, narrowed by the filters below; a filter left out does not narrow."""

    serializer_class = DeadlineSerializer
    permission_classes = [RoleAllows]
    actions_by_method = {"GET": Action.VIEW_CASES}
    pagination_class = DeadlinePagination

    def get_queryset(self):
        # A plain dict, not the QueryDict, so an empty value is refused as the schema says rather than skipped.
        query = self.request.query_params.dict()
        filters = DeadlineFilterSerializer(data=query, context={"request": self.request})
        filters.is_valid(raise_exception=True)
        return (
            Deadline.objects.filter(**filters.validated_data)
            .select_related("owner", "reviewer", "application", "subject_type")
            .order_by("due_on", "pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
