"""What every API view shares: the role check, event attribution, strict query parsing, paging, and path checks."""

import functools
from contextlib import ExitStack

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from licensing.accounts.models import User
from licensing.audit.services import attributed_to_api_token

from ..permissions import RoleAllows
from ..serializers.common import EXTERNAL_ID_HELP, EXTERNAL_ID_PATTERN, external_id_problem
from ..tokens import ApiClient


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class ApiView(GenericAPIView):
    permission_classes = [RoleAllows]
    pagination_class = Pages
    # The action of the role table each method needs, e.g. {"GET": Action.QUERY_API}.
    actions_by_method: dict = {}

    def dispatch(self, request, *args, **kwargs):
        # Whatever `initial` enters is left when the request is answered, error or not.
        with ExitStack() as self._request_scope:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        client = request.user
        if isinstance(client, ApiClient):
            # Services run as actor=None for a machine client (see actor()); the
            # events they write still name the token, for the auditors.
            self._request_scope.enter_context(
                attributed_to_api_token(token_id=client.token_id, label=client.get_username())
            )

    def actor(self):
        """The user to name in services; None for a machine client, whose events name its token instead."""
        user = self.request.user
        return user if isinstance(user, User) else None

    def via(self) -> str:
        return self.request.user.get_username()

    def query(self, serializer_class) -> dict:
        return _query_parser(serializer_class).run_validation(self.request.query_params.dict())

    def query_or_none(self, serializer_class) -> dict | None:
        """The parsed query string, or None if it does not parse (`query` then says why)."""
        try:
            return self.query(serializer_class)
        except exceptions.ValidationError:
            return None

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def paged(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


@functools.cache
def _query_parser(serializer_class):
    # A serializer copies and binds its fields on every instantiation, a large
    # part of the access check's time. Query serializers hold no state and read
    # no context, so one instance per class validates every request:
    # `run_validation` returns the data or raises, storing nothing.
    return serializer_class()


def checked_id(value: str, field: str) -> str:
    problem = external_id_problem(value)
    if problem:
        raise exceptions.ValidationError({field: [problem]})
    return value


def id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=f"{description} {EXTERNAL_ID_HELP}",
        pattern=EXTERNAL_ID_PATTERN,
    )


class UnknownEndpointView(APIView):
    """Answers any path under /api/v1/ that no endpoint matched."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound(f"There is no endpoint at {request.path}.")
