import functools
import logging

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from licensing.accounts.permissions import Action

from ..access import UnknownParty, check_access, prepare_check
from ..authentication import known_client, presented_token
from ..deadline import database_deadline
from ..errors import UNPROCESSABLE, ServiceUnavailable, problem_response, problems
from ..serializers.access import AccessAnswerSerializer, AccessProblemSerializer, AccessQuerySerializer
from ..tokens import CLIENT_READ, client_from_row, hash_token
from .base import ApiView

log = logging.getLogger(__name__)


@functools.cache
def _licences_path() -> str:
    return reverse("api:licences")


def _licence_link(number: str) -> str:
    # Resolving the route costs more than the rest of the answer; only the
    # number (capitals, digits and hyphens) varies.
    return f"{_licences_path()}/{number}"


class AccessCheckView(ApiView):
    """The gate billing asks before granting access. It fails closed."""

    actions_by_method = {"GET": Action.CHECK_ACCESS}

    def dispatch(self, request, *args, **kwargs):
        # A database that stops answering must not hold the check: past the
        # deadline its connection is cut, the query fails and the check refuses.
        with database_deadline(settings.ACCESS_CHECK_TIMEOUT_MS / 1000) as self.deadline:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        # Billing's token is read in the same statement as the decision's
        # facts (or their stamp), which halves the check's round trips to the
        # database. What was read is used only once the token has been found
        # valid and its role allowed (below, in the usual order); anything
        # unusual (no token, a query that does not parse) takes the ordinary path.
        self.parsed, self.prepared = None, None
        raw = presented_token(request)
        query = self.query_or_none(AccessQuerySerializer) if raw is not None else None
        if query is not None:
            self.parsed = query
            self.prepared = prepare_check(**query, companion=CLIENT_READ, companion_value=hash_token(raw))
            rows = self.prepared.companion
            client = known_client(client_from_row(rows[0] if rows else None))
            request.user, request.auth = client, client
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="access_check",
        summary="May access be granted now?",
        description="Decides afresh on every call with the same rules as a posted transaction, and writes "
        "nothing. `allowed` is true only for an authorised decision. Every other answer, including any error "
        "(a 503 when the database is unavailable or anything fails), carries `allowed: false`: treat any "
        "response that is not a 200 with `allowed: true` as a refusal.",
        parameters=[AccessQuerySerializer],
        responses={
            200: AccessAnswerSerializer,
            **problems(
                404,
                422,
                serializer=AccessProblemSerializer,
                # Whatever fails, the check answers 503, never 500.
                without=(500,),
                descriptions={
                    404: "The customer, person or transaction is not known.",
                    503: "The check could not be made; access is not allowed.",
                },
            ),
        },
        tags=["access"],
    )
    def get(self, request):
        query = self.parsed or self.query(AccessQuerySerializer)
        try:
            answer = check_access(**query, prepared=self.prepared)
        except UnknownParty as unknown:
            if unknown.field in ("customer", "person", "transaction") and unknown.missing:
                raise exceptions.NotFound(str(unknown))
            raise exceptions.ValidationError({unknown.field: [str(unknown)]}, code=UNPROCESSABLE)
        licence = answer.licence
        return Response(
            {
                "allowed": answer.allowed,
                "decision": answer.decision,
                "reasons": answer.reasons,
                "licence": {
                    "number": licence.number,
                    "valid_until": licence.valid_until,
                    "link": _licence_link(licence.number),
                }
                if licence
                else None,
                "attributed_country": answer.attributed_country,
                "checked_at": answer.checked_at,
            }
        )

    def handle_exception(self, exc):
        # Fail closed: whatever went wrong (the database, a timeout, a bug),
        # the answer is a 503 that does not allow access.
        if not isinstance(exc, exceptions.APIException):
            log.error("access check failed; answering allowed=false", exc_info=exc)
            exc = ServiceUnavailable(
                f"The database did not answer within {settings.ACCESS_CHECK_TIMEOUT_MS} ms; access is not allowed."
                if getattr(self, "deadline", None) and self.deadline.passed
                else "The access check could not be made; access is not allowed."
            )
        try:
            response = super().handle_exception(exc)
        except Exception:
            log.exception("access check error handling failed; answering allowed=false")
            response = problem_response(
                status_code=503, code="unavailable", detail="The access check could not be made; access is not allowed."
            )
        response.data["allowed"] = False
        return response
