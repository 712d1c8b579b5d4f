from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.cases.replay import moment_asked, replay_decision

from ..errors import problems
from ..serializers.replay import ReplaySerializer
from .base import ApiView, checked_id, id_parameter
from .transactions import transactions_for_display


class TransactionReplayView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="transactions_replay",
        summary="Explain a transaction's decision as of its time",
        description="Replays the decision in force at `at` (the latest when not given) under the requirements, "
        "list versions, determination and hits in force when it was made, and says whether the rules give the "
        "recorded outcome and reasons again. A decision recorded before decisions kept their basis is not "
        "replayed: `replayed` is false and `missing` says why.",
        parameters=[
            id_parameter("external_id", "Billing's identifier of the transaction."),
            OpenApiParameter(
                "at",
                OpenApiTypes.STR,
                description="A day (2026-11-02, meaning its end, UTC) or an RFC 3339 time: replay the decision "
                "in force then.",
            ),
        ],
        responses={200: ReplaySerializer, **problems(400, 404)},
        tags=["transactions"],
    )
    def get(self, request, external_id):
        record = transactions_for_display().filter(external_id=checked_id(external_id, "external_id")).first()
        if record is None:
            raise exceptions.NotFound(f"No transaction has external_id {external_id}.")
        at = None
        if "at" in request.query_params:
            try:
                at = moment_asked(request.query_params["at"])
            except ValueError as error:
                raise exceptions.ValidationError({"at": [str(error)]})
        return Response(ReplaySerializer(replay_decision(record, at=at)).data)
