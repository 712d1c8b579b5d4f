"""The filings API for legal tooling: ask for documents and packages, watch them, fetch them.

Path ids take any one segment, so a malformed id reaches the view and is
answered with a problem document naming it rather than an HTML page.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.accounts.permissions import Action
from licensing.cases.models import LicenceApplication
from licensing.filings.models import ExportPackage, Filing
from licensing.filings.services.filings import open_filing_for_download, request_filing
from licensing.filings.services.packages import open_package_for_download, request_export_package

from ..errors import problems
from ..permissions import RoleAllows
from ..serializers.filings import (
    ExportPackageSerializer,
    ExportRequestSerializer,
    FilingRequestSerializer,
    FilingSerializer,
)

APPLICATION_ID = OpenApiParameter(
    "application_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The application's id."
)
FILING_ID = OpenApiParameter("filing_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The filing's id.")
PACKAGE_ID = OpenApiParameter("package_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The package's id.")
NOT_READY = "The file does not exist yet: it is queued, being made, or failed."


class NotReady(APIException):
    """The file is asked for before it exists (queued, rendering, building or failed)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The file is not ready."
    default_code = "not_ready"


class FileRenderer(BaseRenderer):
    """Lets a client that accepts only the file's type reach the download; errors still go out as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # The file itself is a FileResponse and never rendered; only problem documents come here.
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class PdfRenderer(FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class ZipRenderer(FileRenderer):
    media_type = "application/zip"
    format = "zip"


def as_api_error(error: DjangoValidationError) -> ValidationError:
    """Carry a service's refusal to the client with the fields it names."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


def find(queryset, raw_id: str, what: str):
    found = None
    if raw_id.isascii() and raw_id.isdigit() and int(raw_id) < 2**63:
        found = queryset.filter(pk=int(raw_id)).first()
    if found is None:
        raise NotFound(f"No {what} has the id {raw_id}.")
    return found


def accepted(queue, serializer_class) -> Response:
    """Ask for work through `queue()`, its service, and answer 202 with the record and where to watch it."""
    try:
        record = queue()
    except DjangoValidationError as error:
        raise as_api_error(error) from None
    body = serializer_class(record).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def download_responses(renderer: type[FileRenderer], description: str) -> dict:
    """The schema of a download: the file once it is made, 409 before then."""
    return {
        (200, renderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
        **problems(404, 409, descriptions={409: NOT_READY}),
    }


def download(open_file, *, filename: str, renderer: type[FileRenderer]) -> FileResponse:
    """Hand over a made file through `open_file()`, its service, which logs it; 409 while it is not made."""
    try:
        handle = open_file()
    except DjangoValidationError as error:
        raise NotReady(error.messages[0]) from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=renderer.media_type)


class ApplicationFilingsView(APIView):
    permission_classes = [RoleAllows]
    actions_by_method = {"GET": Action.VIEW_CASES, "POST": Action.GENERATE_FILINGS}

    @extend_schema(
        operation_id="filings_list",
        summary="List every version of every document of an application",
        parameters=[APPLICATION_ID],
        responses={200: FilingSerializer(many=True), **problems(404)},
        tags=["filings"],
    )
    def get(self, request, application_id: str):
        application = find(LicenceApplication.objects.all(), application_id, "application")
        filings = Filing.objects.filter(application=application).select_related("application", "requested_by")
        return Response(FilingSerializer(filings, many=True).data)

    @extend_schema(
        operation_id="filings_create",
        summary="Generate a new version of a document; answers 202 and the filing's id",
        parameters=[APPLICATION_ID],
        request=FilingRequestSerializer,
        responses={202: FilingSerializer, **problems(404, 413, 415)},
        tags=["filings"],
    )
    def post(self, request, application_id: str):
        application = find(LicenceApplication.objects.all(), application_id, "application")
        serializer = FilingRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        return accepted(
            lambda: request_filing(actor=request.user, application=application, kind=kind), FilingSerializer
        )


class FilingView(APIView):
    permission_classes = [RoleAllows]
    actions_by_method = {"GET": Action.VIEW_CASES}

    @extend_schema(
        operation_id="filings_retrieve",
        summary="Read a filing's status, version and SHA-256",
        parameters=[FILING_ID],
        responses={200: FilingSerializer, **problems(404)},
        tags=["filings"],
    )
    def get(self, request, filing_id: str):
        filing = find(Filing.objects.select_related("application", "requested_by"), filing_id, "filing")
        return Response(FilingSerializer(filing).data)


class FilingPdfView(APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        operation_id="filings_pdf",
        summary="Download the PDF of a generated filing (logged)",
        parameters=[FILING_ID],
        responses=download_responses(PdfRenderer, "The PDF."),
        tags=["filings"],
    )
    def get(self, request, filing_id: str):
        filing = find(Filing.objects.select_related("application"), filing_id, "filing")
        return download(
            lambda: open_filing_for_download(actor=request.user, filing=filing),
            filename=filing.download_name,
            renderer=PdfRenderer,
        )


class ExportsView(APIView):
    permission_classes = [RoleAllows]
    actions_by_method = {"POST": Action.EXPORT_PACKAGES}

    @extend_schema(
        operation_id="exports_create",
        summary="Build a legal export package of a selection of applications; answers 202",
        request=ExportRequestSerializer,
        responses={202: ExportPackageSerializer, **problems(413, 415)},
        tags=["exports"],
    )
    def post(self, request):
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        selection = serializer.selection()
        return accepted(lambda: request_export_package(actor=request.user, **selection), ExportPackageSerializer)


class ExportView(APIView):
    permission_classes = [RoleAllows]
    actions_by_method = {"GET": Action.DOWNLOAD_PACKAGES}

    @extend_schema(
        operation_id="exports_retrieve",
        summary="Read a package's progress and, once built, its download link",
        parameters=[PACKAGE_ID],
        responses={200: ExportPackageSerializer, **problems(404)},
        tags=["exports"],
    )
    def get(self, request, package_id: str):
        package = find(ExportPackage.objects.select_related("requested_by"), package_id, "export package")
        return Response(ExportPackageSerializer(package).data)


class ExportZipView(APIView):
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        operation_id="exports_zip",
        summary="Download a built package (legal staff and auditors; logged)",
        parameters=[PACKAGE_ID],
        responses=download_responses(ZipRenderer, "The ZIP."),
        tags=["exports"],
    )
    def get(self, request, package_id: str):
        package = find(ExportPackage.objects.all(), package_id, "export package")
        return download(
            lambda: open_package_for_download(actor=request.user, package=package),
            filename=package.download_name,
            renderer=ZipRenderer,
        )
