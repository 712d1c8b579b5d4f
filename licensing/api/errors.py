"""Every API error as application/problem+json (RFC 9457), with the fields at fault named."""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimeout
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# A well-formed request that cannot be processed as it stands (it names a
# customer, item or country that does not exist, or a time outside what can
# be recorded) is 422, kept apart from 400 for a malformed one.
UNPROCESSABLE = "unprocessable"
PROBLEM_TYPE_BASE = "tag:exportdesk,2025:problem:"
# Redis (the cache) or the broker not answering: a 503 with Retry-After, never a 500.
QUEUE_OR_CACHE_UNREACHABLE = (BrokerUnreachable, RedisUnreachable, RedisTimeout)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service cannot answer now (its database is unavailable or busy); try again shortly."
    default_code = "unavailable"
    retry_after_seconds = 5


def problem_exception_handler(exc, context):
    """DRF's exception handler: turn any exception into a problem document, never an HTML page."""
    exc = _as_api_exception(exc, context)
    if isinstance(exc, exceptions.ValidationError) and _only_unprocessable(exc):
        exc.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"
    if isinstance(exc, ServiceUnavailable):
        headers["Retry-After"] = f"{exc.retry_after_seconds}"
    # Imported here: rest_framework.views reads the API settings, which name this module.
    from rest_framework.views import set_rollback

    set_rollback()
    request = context.get("request")
    return problem_response(
        status_code=exc.status_code,
        detail=_detail_text(exc),
        code=_code(exc),
        errors=_field_errors(exc.detail) if isinstance(exc, exceptions.ValidationError) else None,
        instance=request.path if request is not None else None,
        headers=headers,
    )


def problem_response(*, status_code: int, detail: str, code: str, errors=None, instance=None, headers=None, **extra):
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _as_api_exception(exc, context) -> exceptions.APIException:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(_django_errors(exc))
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ValidationError({"request": [str(exc) or "The request is malformed."]})
    if isinstance(exc, IntegrityError):
        # Two requests raced to write the same record; the client may retry.
        log.warning("integrity error answered as a conflict", exc_info=exc)
        return Conflict("Another request changed the same record at the same time; send the request again.")
    if isinstance(exc, DataError):
        log.error("a value passed validation but the database refused it", exc_info=exc)
        return exceptions.ValidationError({"request": ["A value in the request cannot be stored."]})
    if isinstance(exc, DatabaseError):
        log.error("database unavailable", exc_info=exc)
        return ServiceUnavailable()
    if isinstance(exc, QUEUE_OR_CACHE_UNREACHABLE):
        # Writes hand their follow-ups to the outbox and rate limits fall back
        # to per-process counting, so this is something that truly needs Redis.
        log.error("the task queue or the cache is unreachable", exc_info=exc)
        return ServiceUnavailable("The task queue or the cache cannot be reached; try again shortly.")
    log.error("unexpected error in %s", context.get("view").__class__.__name__, exc_info=exc)
    error = exceptions.APIException("An unexpected error occurred; it has been logged.")
    return error


def _django_errors(exc: DjangoValidationError):
    def details(errors):
        return [ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error.messages]

    if hasattr(exc, "error_dict"):
        return {field: details(errors) for field, errors in exc.error_dict.items()}
    return {"non_field_errors": details(exc.error_list)}


def _only_unprocessable(exc: exceptions.ValidationError) -> bool:
    codes = list(_leaves(exc.get_codes()))
    return bool(codes) and all(code == UNPROCESSABLE for code in codes)


def _leaves(codes):
    if isinstance(codes, dict):
        for value in codes.values():
            yield from _leaves(value)
    elif isinstance(codes, list):
        for value in codes:
            yield from _leaves(value)
    else:
        yield codes


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(exc, exceptions.ValidationError):
        return "unprocessable" if exc.status_code == 422 else "validation"
    return codes if isinstance(codes, str) else exc.default_code


def _detail_text(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        if len(errors) == 1 and errors[0]["field"] is None:
            return errors[0]["message"]
        named = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
        return f"The request has invalid fields: {named}." if named else "The request is invalid."
    return str(exc.detail)


def _field_errors(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's nested error structure into [{"field": "a.0.b", "message": ...}]."""
    found = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            found += _field_errors(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            found += [{"field": prefix or None, "message": str(item)} for item in detail]
        else:
            for index, item in enumerate(detail):
                found += _field_errors(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        found.append({"field": prefix or None, "message": str(detail)})
    return found


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field at fault, dotted for nested ones.")
    message = serializers.CharField()


@extend_schema_serializer(component_name="ProblemDetails")
class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    # DRF's metaclass takes declared fields off the class, so this field leaves Serializer.errors alone;
    # the stubs see it as overriding that property.
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


PROBLEM_DESCRIPTIONS = {
    400: "The request is malformed or a field is invalid; `errors` names each field.",
    401: "No credentials, or a token that is unknown or revoked.",
    403: "The credentials do not allow this.",
    404: "No such resource.",
    405: "The method is not allowed here.",
    406: "The response cannot be given in a type the client accepts.",
    409: "The request conflicts with the resource's current state.",
    413: "The request body is larger than the API accepts.",
    415: "The request body is not JSON.",
    422: "The request is well formed but names a record that does not exist, or a time outside the range "
    "that can be recorded; `errors` names each field.",
    429: "Too many requests for this token; wait as long as Retry-After says.",
    500: "An unexpected error; it has been logged.",
    503: "The database, the cache or the task queue is unavailable; try again as Retry-After says.",
}
COMMON_PROBLEMS = (400, 401, 403, 405, 406, 429, 500, 503)
BODY_PROBLEMS = (413, 415)


def problems(*codes: int, serializer=ProblemSerializer, descriptions: dict | None = None, without=()) -> dict:
    """Schema entries for the problem responses an operation can give."""
    descriptions = {**PROBLEM_DESCRIPTIONS, **(descriptions or {})}
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(serializer, description=descriptions[code])
        for code in sorted((set(COMMON_PROBLEMS) | set(codes)) - set(without))
    }
