from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.cases.filters import ApplicationFilter, LicenceFilter
from licensing.cases.models import InformationRequest, Licence, LicenceApplication, Transaction
from licensing.cases.services import correspondence
from licensing.cases.services.usage import UsageConflict, UsageRefused, record_usage
from licensing.workflow.machine import ActorNotAllowed, IllegalTransition

from ..errors import UNPROCESSABLE, Conflict, problems
from ..parsing import BoundedJSONParser
from ..serializers.cases import (
    ApplicationDetailSerializer,
    ApplicationFilterSerializer,
    ApplicationSerializer,
    ConsigneeStatementSerializer,
    ConsigneeStatementWriteSerializer,
    InformationRequestSerializer,
    InformationRequestWriteSerializer,
    InformationSuppliedWriteSerializer,
    IntentToDenyResponseSerializer,
    IntentToDenyResponseWriteSerializer,
    LicenceDetailSerializer,
    LicenceFilterSerializer,
    LicenceSerializer,
    UsageResultSerializer,
    UsageSerializer,
    UsageWriteSerializer,
)
from ..uploads import BoundedMultiPartParser
from .base import ApiView

LICENCE_NUMBER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The licence number: capital letters, digits and hyphens, 4 to 20.",
    pattern=r"^[A-Z0-9-]{4,20}$",
)
APPLICATION_ID = OpenApiParameter(
    "application_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The application's id."
)
REQUEST_ID = OpenApiParameter(
    "request_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The request for information's id."
)


def applications_for_display():
    return LicenceApplication.objects.select_related("transaction", "customer", "person", "licence")


def licences_for_display():
    return Licence.objects.select_related("application", "customer", "person", "item")


def _row_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**63 else None


def find_application(application_id: str) -> LicenceApplication:
    row = _row_id(application_id)
    application = applications_for_display().filter(pk=row).first() if row is not None else None
    if application is None:
        raise exceptions.NotFound(f"No application has the id {application_id}.")
    return application


def find_licence(number: str) -> Licence:
    licence = licences_for_display().filter(number=number).first() if len(number) <= 20 else None
    if licence is None:
        raise exceptions.NotFound(f"No licence has the number {number}.")
    return licence


class ApplicationListView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="applications_list",
        summary="List licence applications",
        parameters=[ApplicationFilterSerializer],
        responses={200: ApplicationSerializer(many=True), **problems(404, 422)},
        tags=["applications"],
    )
    def get(self, request):
        # Parsed strictly first, so a misspelt filter is a 400 naming it rather than ignored.
        parsed = self.query(ApplicationFilterSerializer)
        data = request.query_params.copy()
        if "updated_since" in parsed:
            # As the API reads moments: a time without an offset is UTC.
            data["updated_since"] = parsed["updated_since"].isoformat()
        filterset = ApplicationFilter(data, queryset=applications_for_display(), request=request)
        queryset = filterset.qs.order_by("-updated_at", "-pk")
        return self.paged(queryset, ApplicationSerializer)


class ApplicationView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="applications_retrieve",
        summary="Read an application with its history and deadlines",
        parameters=[APPLICATION_ID],
        responses={200: ApplicationDetailSerializer, **problems(404)},
        tags=["applications"],
    )
    def get(self, request, application_id):
        return Response(ApplicationDetailSerializer(find_application(application_id)).data)


class _CasePaperView(ApiView):
    """A paper recorded on an application through its service; a move the status does not allow is a 409."""

    def record(self, service, **arguments):
        try:
            return service(actor=self.actor(), **arguments)
        except ActorNotAllowed as refusal:
            raise exceptions.PermissionDenied(str(refusal))
        except IllegalTransition as refusal:
            raise Conflict(f"{str(refusal)[:1].upper()}{str(refusal)[1:]}.")


class ConsigneeStatementListView(_CasePaperView):
    actions_by_method = {"POST": Action.RECORD_CONSIGNEE_STATEMENT}
    parser_classes = [BoundedMultiPartParser]

    @extend_schema(
        operation_id="applications_consignee_statements_create",
        summary="Record a signed BIS-711 with its PDF (multipart/form-data)",
        description="The ultimate consignee named in block 18 signed it; its 748.11 clocks (first application "
        "within one year, later ones within four) start from its signature.",
        parameters=[APPLICATION_ID],
        request={"multipart/form-data": ConsigneeStatementWriteSerializer},
        responses={201: ConsigneeStatementSerializer, **problems(404, 413, 415)},
        tags=["applications"],
    )
    def post(self, request, application_id):
        application = find_application(application_id)
        data = self.body(ConsigneeStatementWriteSerializer)
        statement = self.record(correspondence.record_bis711, application=application, **data)
        return Response(ConsigneeStatementSerializer(statement).data, status=status.HTTP_201_CREATED)


class InformationRequestListView(_CasePaperView):
    actions_by_method = {"POST": Action.RECORD_BIS_ACTION}

    @extend_schema(
        operation_id="applications_information_requests_create",
        summary="Record what BIS asked and by when; the 90-day clock stops until it is answered",
        parameters=[APPLICATION_ID],
        request=InformationRequestWriteSerializer,
        responses={201: InformationRequestSerializer, **problems(404, 409, 413, 415)},
        tags=["applications"],
    )
    def post(self, request, application_id):
        application = find_application(application_id)
        data = self.body(InformationRequestWriteSerializer)
        asked = self.record(correspondence.record_information_request, application=application, **data)
        return Response(InformationRequestSerializer(asked).data, status=status.HTTP_201_CREATED)


class InformationSuppliedView(_CasePaperView):
    actions_by_method = {"POST": Action.RESPOND_TO_BIS}

    @extend_schema(
        operation_id="applications_information_requests_answer",
        summary="Record the answer to the open request for information; the 90-day clock runs again",
        description="Refused naming `request` when that request is already answered, or is not the one open.",
        parameters=[APPLICATION_ID, REQUEST_ID],
        request=InformationSuppliedWriteSerializer,
        responses={200: InformationRequestSerializer, **problems(404, 409, 413, 415)},
        tags=["applications"],
    )
    def post(self, request, application_id, request_id):
        application = find_application(application_id)
        row = _row_id(request_id)
        asked = InformationRequest.objects.filter(application=application, pk=row).first() if row else None
        if asked is None:
            raise exceptions.NotFound(f"{application} has no request for information with the id {request_id}.")
        data = self.body(InformationSuppliedWriteSerializer)
        answered = self.record(
            correspondence.record_information_supplied, application=application, request=asked, **data
        )
        return Response(InformationRequestSerializer(answered).data)


class IntentToDenyResponseView(_CasePaperView):
    actions_by_method = {"POST": Action.RESPOND_TO_BIS}
    parser_classes = [BoundedJSONParser, BoundedMultiPartParser]

    @extend_schema(
        operation_id="applications_intent_to_deny_response_create",
        summary="Record the response to BIS's intent to deny (750.6), with the document sent if any",
        description="JSON, or multipart/form-data to attach the document. The 20-day clock is met; BIS's runs "
        "again. A 409 when no intent to deny is open on the application.",
        parameters=[APPLICATION_ID],
        request={
            "application/json": IntentToDenyResponseWriteSerializer,
            "multipart/form-data": IntentToDenyResponseWriteSerializer,
        },
        responses={201: IntentToDenyResponseSerializer, **problems(404, 409, 413, 415)},
        tags=["applications"],
    )
    def post(self, request, application_id):
        application = find_application(application_id)
        data = self.body(IntentToDenyResponseWriteSerializer)
        response = self.record(correspondence.record_intent_to_deny_response, application=application, **data)
        return Response(IntentToDenyResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class LicenceListView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="licences_list",
        summary="List licences",
        parameters=[LicenceFilterSerializer],
        responses={200: LicenceSerializer(many=True), **problems(404, 422)},
        tags=["licences"],
    )
    def get(self, request):
        # Parsed strictly first, so a misspelt filter or an unknown country is an error naming it rather than ignored.
        parsed = self.query(LicenceFilterSerializer)
        data = request.query_params.copy()
        if "updated_since" in parsed:
            # As the API reads moments: a time without an offset is UTC.
            data["updated_since"] = parsed["updated_since"].isoformat()
        filterset = LicenceFilter(data, queryset=licences_for_display(), request=request)
        return self.paged(filterset.qs.order_by("-updated_at", "-pk"), LicenceSerializer)


class LicenceView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="licences_retrieve",
        summary="Read a licence with its conditions, usage, history and deadlines",
        parameters=[LICENCE_NUMBER],
        responses={200: LicenceDetailSerializer, **problems(404)},
        tags=["licences"],
    )
    def get(self, request, number):
        return Response(LicenceDetailSerializer(find_licence(number)).data)


class LicenceUsageView(ApiView):
    actions_by_method = {"POST": Action.RECORD_LICENCE_USAGE}

    @extend_schema(
        operation_id="licences_usage_create",
        summary="Record what a transaction used of a licence (idempotent per transaction)",
        description="Draws the quantity and value down from the licence under a row lock, so concurrent calls "
        "never overdraw it. Refused with 409 when the licence is not active, the day is outside its validity, "
        "the usage would exceed what is left, or the transaction was not authorised under this licence. "
        "Recording the same transaction's usage again returns the first record (200); with different figures "
        "it is a 409.",
        parameters=[LICENCE_NUMBER],
        request=UsageWriteSerializer,
        responses={
            200: OpenApiResponse(UsageResultSerializer, description="A replay: the usage recorded before."),
            201: OpenApiResponse(UsageResultSerializer, description="Recorded."),
            **problems(404, 409, 413, 415, 422),
        },
        tags=["licences"],
    )
    def post(self, request, number):
        licence = find_licence(number)
        data = self.body(UsageWriteSerializer)
        record = Transaction.objects.filter(external_id=data["transaction"]).select_related("licence").first()
        if record is None:
            raise exceptions.ValidationError(
                {"transaction": [f"No transaction has external_id {data['transaction']}."]}, code=UNPROCESSABLE
            )
        try:
            usage, created = record_usage(
                actor=self.actor(),
                licence=licence,
                transaction_record=record,
                quantity=data["quantity"],
                value=data["value"],
                used_on=data.get("used_on"),
                via=self.via(),
            )
        except (UsageRefused, UsageConflict) as refusal:
            raise Conflict(str(refusal))
        licence = find_licence(number)
        return Response(
            {"usage": UsageSerializer(usage).data, "licence": LicenceSerializer(licence).data},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
