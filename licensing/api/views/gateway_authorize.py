"""The gateway's question before every model call: nginx's auth_request and Envoy's HTTP ext_authz ask it.

A plain Django view, not a DRF one: it answers on every model request, so it
skips content negotiation, parsers and the API's token authentication (the
caller is the gateway, the credential is the model API key it forwards). It
lives with the API's interfaces because it asks the access check
(`licensing.api.access`), the same decision code billing's check uses.

Any method, any path below /api/v1/gateway/authorize: nginx's subrequest is a
GET whose path carries the original URI; Envoy's ext_authz keeps the method
and puts its path_prefix before the original path. 2xx allows; a 403 with
reasons denies; anything else (503 when anything fails, the database is
slow or down) the gateway is configured to treat as a denial.
"""

import datetime
import logging
from typing import TypedDict

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from licensing.cases.models import Decision
from licensing.gateway.location import call_origin, location_enabled
from licensing.gateway.metering import TOKEN_ESTIMATE_HEADER, count_call
from licensing.gateway.question import call_question, decided_on_nationality
from licensing.gateway.receipts import sign_receipt
from licensing.gateway.routes import item_for_path
from licensing.gateway.services import (
    KEY_READ,
    REMEMBERED_KEYS,
    key_read_value,
    presented_from_rows,
    presented_key,
)

from ..access import UnknownParty, check_access, prepare_check
from ..deadline import database_deadline
from ..errors import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE
from ..serializers.common import EXTERNAL_ID_RE

log = logging.getLogger(__name__)

DECISION_HEADER = "X-ExportDesk-Decision"
LICENCE_HEADER = "X-ExportDesk-Licence"
STAMP_HEADER = "X-ExportDesk-Stamp"
TIME_HEADER = "X-ExportDesk-Time"
RECEIPT_HEADER = "X-ExportDesk-Receipt"
# Where the end user's seat is named; where nginx may put the original URI instead of in the path.
END_USER_HEADER = "X-End-User"
ORIGINAL_URI_HEADER = "X-Original-URI"


@csrf_exempt
def authorize(request: HttpRequest, path: str = "") -> HttpResponse:
    """Allow (200, with a signed receipt) or deny (403 with reasons; 503 when the check cannot be made)."""
    try:
        # A database that stops answering must not hold the model call: past
        # the deadline its connection is cut, the query fails and the call is refused.
        with database_deadline(settings.ACCESS_CHECK_TIMEOUT_MS / 1000) as deadline:
            try:
                return _authorize(request, path)
            except Exception:
                if deadline.passed:
                    log.warning("the gateway's check timed out; the model call is refused")
                    return _denied(
                        503,
                        "unavailable",
                        f"The database did not answer within {settings.ACCESS_CHECK_TIMEOUT_MS} ms; "
                        "the call is not allowed.",
                    )
                raise
    except Exception:
        # Fail closed: whatever went wrong, the gateway is told no.
        log.exception("the gateway's check failed; the model call is refused")
        return _denied(503, "unavailable", "The check could not be made; the call is not allowed.")


class QuestionArgs(TypedDict):
    """What the gateway asks the access check, as the keyword arguments of prepare_check and check_access."""

    customer: str
    item: str
    person: str | None
    activity: str
    country: str | None


def _authorize(request: HttpRequest, path: str, *, trust_remembered: bool = True) -> HttpResponse:
    raw = _presented_key(request)
    if raw is None:
        return _denied(403, "no_key", "Present the model API key as 'Authorization: Bearer <key>' or 'X-Api-Key'.")
    original = "/" + path if path else request.headers.get(ORIGINAL_URI_HEADER, "")
    item = item_for_path(original)
    if item is None:
        return _denied(403, "unknown_route", f"No model route covers {original[:200]!r}; the call is not allowed.")
    end_user = request.headers.get(END_USER_HEADER) or None
    if end_user is not None and not EXTERNAL_ID_RE.match(end_user):
        return _denied(403, "unknown_end_user", f"{END_USER_HEADER} is not a seat identifier.")
    # A key this process has seen is read again beside the decision's stamp (below), in the same round trip.
    remembered = REMEMBERED_KEYS.get(raw, end_user) if trust_remembered else None
    presented = remembered or presented_key(raw, end_user=end_user)
    if presented is None:
        return _denied(403, "unknown_key", "The model API key is not known or was revoked.")
    seat_located_in = None
    if presented.seat_location is not None:
        seat, seat_located_in = presented.seat_location
        if not seat:
            return _denied(
                403, "unknown_end_user", f"The key's customer has no seat {end_user!r}; the call is not allowed."
            )
    if remembered is None:
        REMEMBERED_KEYS.put(raw, end_user, presented)
    called_from = None
    if location_enabled():
        origin = call_origin(
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.headers.get("X-Forwarded-For", ""),
            decided_on_nationality=decided_on_nationality(seat_located_in),
            today=timezone.localdate(),
        )
        if origin.held is not None:
            return _denied(403, *origin.held, decision=Decision.HOLD)
        called_from = origin.country
    asked = call_question(
        seat_located_in=seat_located_in, recorded_country=presented.recorded_country, called_from=called_from
    )
    question = QuestionArgs(
        customer=presented.customer, item=item, person=end_user, activity=asked.activity, country=asked.country
    )
    if remembered is None:
        prepared = prepare_check(**question)
    else:
        prepared = prepare_check(**question, companion=KEY_READ, companion_value=key_read_value(raw, end_user))
        if presented_from_rows(prepared.companion, end_user=end_user) != remembered:
            # Revoked, or naming another customer or seat since: decide again from what is read now.
            REMEMBERED_KEYS.forget(raw, end_user)
            return _authorize(request, path, trust_remembered=False)
    try:
        answer = check_access(**question, prepared=prepared)
    except UnknownParty as unknown:
        return _denied(403, "undecidable", str(unknown))
    if not answer.allowed:
        return _denied(
            403,
            "not_authorised",
            f"The decision is {answer.decision}; the call is not allowed.",
            decision=answer.decision,
            reasons=list(answer.reasons),
        )
    # Counted only once the decision allows: a refused call uses nothing of the licence.
    metered = count_call(answer.licence, declared_tokens=request.headers.get(TOKEN_ESTIMATE_HEADER))
    if metered.refusal is not None:
        return _denied(*metered.refusal)
    at = answer.checked_at.astimezone(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    stamp = ":".join(map(str, prepared.stamp)) if prepared.stamp else ""
    response = HttpResponse(status=200)
    # Plain strings: a WSGI server refuses any other type in a header.
    decision = str(answer.decision)
    response[DECISION_HEADER] = decision
    response[LICENCE_HEADER] = answer.licence.number if answer.licence else ""
    response[STAMP_HEADER] = stamp
    response[TIME_HEADER] = at
    response[RECEIPT_HEADER] = sign_receipt(decision=decision, stamp=stamp, at=at)
    # What a metered licence has left (X-ExportDesk-Calls-Left, -Tokens-Left), after this call.
    for name, value in metered.headers.items():
        response[name] = value
    return response


def _presented_key(request: HttpRequest) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-Api-Key", "").strip() or None


def _denied(status: int, code: str, detail: str, *, decision: str = "", reasons: list[str] | None = None):
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": "Forbidden" if status == 403 else "Service Unavailable",
        "status": status,
        "detail": detail,
        "decision": str(decision) if decision else None,
        "reasons": reasons or [],
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    # The gateway passes these on to whoever was refused (nginx cannot pass the body of its subrequest).
    response[DECISION_HEADER] = str(decision or code)
    response["Cache-Control"] = "no-store"
    return response
