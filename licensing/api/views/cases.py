from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.cases.services.usage import UsageConflict, UsageRefused, record_usage

from ..errors import UNPROCESSABLE, Conflict, problems
from ..serializers.cases import (
    ApplicationDetailSerializer,
    ApplicationFilterSerializer,
    ApplicationSerializer,
    LicenceDetailSerializer,
    LicenceFilterSerializer,
    LicenceSerializer,
    UsageResultSerializer,
    UsageSerializer,
    UsageWriteSerializer,
)
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


def applications_for_display():
    return LicenceApplication.objects.select_related("transaction", "customer", "person", "licence")


def licences_for_display():
    return Licence.objects.select_related("application", "customer", "person", "item")


def _filtered(queryset, filters):
    if "status" in filters:
        queryset = queryset.filter(status=filters["status"])
    if "customer" in filters:
        queryset = queryset.filter(customer__external_id=filters["customer"])
    if "updated_since" in filters:
        queryset = queryset.filter(updated_at__gte=filters["updated_since"])
    return queryset


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
        filters = self.query(ApplicationFilterSerializer)
        queryset = _filtered(applications_for_display(), filters).order_by("-updated_at", "-pk")
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
        application = None
        if application_id.isascii() and application_id.isdigit() and int(application_id) < 2**63:
            application = applications_for_display().filter(pk=int(application_id)).first()
        if application is None:
            raise exceptions.NotFound(f"No application has the id {application_id}.")
        return Response(ApplicationDetailSerializer(application).data)


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
        filters = dict(self.query(LicenceFilterSerializer))
        queryset = licences_for_display()
        if "status" in filters:
            queryset = queryset.standing_on(filters.pop("status"), timezone.localdate())
        queryset = _filtered(queryset, filters).order_by("-updated_at", "-pk")
        return self.paged(queryset, LicenceSerializer)


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
