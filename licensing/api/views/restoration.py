"""Bulk intake of the customer book through the API, and the restoration figures."""

import json

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.restoration import figures
from licensing.restoration.intake.columns import SCHEMAS, FileKind
from licensing.restoration.models import ImportRun
from licensing.restoration.services.imports import create_import_from_records

from ..errors import PayloadTooLarge, problem_response, problems
from ..serializers.restoration import (
    FiguresQuerySerializer,
    ImportQuerySerializer,
    ImportRunSerializer,
    RestorationFiguresSerializer,
)
from .base import ApiView

# A bulk body is larger than any other request, and still bounded: 5 MB is about 20,000 customers.
DEFAULT_MAX_BULK_BYTES = 5 * 1024 * 1024


def _limit() -> int:
    return getattr(settings, "API_MAX_BULK_BYTES", DEFAULT_MAX_BULK_BYTES)


def _read_bounded(stream, request) -> bytes:
    limit = _limit()
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The body is {int(declared)} bytes; a bulk import accepts at most {limit}.")
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes, the most a bulk import accepts.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise exceptions.ParseError("The body is not UTF-8 text.") from None


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class BulkJSONParser(parsers.BaseParser):
    """A JSON array of records, bounded in size."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        text = _read_bounded(stream, (parser_context or {}).get("request"))
        try:
            records = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError("The JSON is nested too deeply.") from None
        except ValueError as error:
            raise exceptions.ParseError(f"The body is not valid JSON: {error}") from None
        if not isinstance(records, list):
            raise exceptions.ParseError("Send a JSON array of records (or NDJSON, one record per line).")
        return records


class NDJSONParser(parsers.BaseParser):
    """Newline-delimited JSON: one record per line, bounded in size."""

    media_type = "application/x-ndjson"

    def parse(self, stream, media_type=None, parser_context=None):
        text = _read_bounded(stream, (parser_context or {}).get("request"))
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line, parse_constant=_refuse_constant))
            except (ValueError, RecursionError) as error:
                raise exceptions.ParseError(f"Line {number} is not valid JSON: {error}") from None
        return records


KIND_PARAMETER = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=FileKind.values,
    description="What the records are. Fields: "
    + "; ".join(f"{kind}: {', '.join(c.name + ('*' if c.required else '') for c in SCHEMAS[kind])}" for kind in SCHEMAS)
    + " (* required).",
)


class ImportListView(ApiView):
    actions_by_method = {"POST": Action.SYNC_PARTIES}
    parser_classes = [BulkJSONParser, NDJSONParser]

    @extend_schema(
        operation_id="restoration_imports_create",
        summary="Import customers, seats, owners or addresses in bulk (idempotent)",
        description="The body is a JSON array of records or NDJSON (one record per line), at most 5 MB. Every "
        "record is checked first; any problem answers 422 listing each one by record number (`line`) and field "
        "(`column`), and nothing is written. With `dry_run=true` a clean body answers 200 and writes nothing; "
        "otherwise the import is queued (202) and its progress read at the run's URL. Records are matched by "
        "billing's ids, so sending the same records again changes nothing. Imported subjects are triaged.",
        parameters=[KIND_PARAMETER, ImportQuerySerializer],
        request={
            "application/json": {"type": "array", "items": {"type": "object"}},
            "application/x-ndjson": {"type": "string", "description": "One JSON object per line."},
        },
        responses={
            200: OpenApiResponse(ImportRunSerializer, description="Dry run: every record is fine; nothing written."),
            202: OpenApiResponse(ImportRunSerializer, description="Queued; follow the Location header."),
            **problems(
                404,
                413,
                415,
                422,
                descriptions={422: "Records with problems; `problems` lists each by line and column."},
            ),
        },
        tags=["restoration"],
    )
    def post(self, request, kind):
        if kind not in FileKind.values:
            raise exceptions.NotFound(f"No kind of import is called {kind!r}; use one of {', '.join(FileKind.values)}.")
        dry_run = self.query(ImportQuerySerializer)["dry_run"]
        run = create_import_from_records(actor=self.actor(), kind=kind, records=request.data, dry_run=dry_run)
        body = ImportRunSerializer(run).data
        if run.status == ImportRun.Status.REFUSED:
            report = run.report
            return problem_response(
                status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                detail=f"{report['problem_count']} problem(s) in {report['rows']} record(s); nothing was written.",
                code="unprocessable",
                errors=[
                    {
                        "field": ".".join(str(p) for p in (p["line"], p["column"]) if p is not None) or None,
                        "message": p["problem"],
                    }
                    for p in report["problems"]
                ],
                instance=request.path,
                problems=report["problems"],
                import_run=run.pk,
            )
        if run.status == ImportRun.Status.CHECKED:
            return Response(body, status=status.HTTP_200_OK)
        location = request.build_absolute_uri(f"{request.path.rstrip('/').rsplit('/', 1)[0]}/{run.pk}")
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ImportView(ApiView):
    actions_by_method = {"GET": Action.SYNC_PARTIES}

    @extend_schema(
        operation_id="restoration_imports_retrieve",
        summary="Read a bulk import's status, progress and report",
        parameters=[OpenApiParameter("run_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: ImportRunSerializer, **problems(404)},
        tags=["restoration"],
    )
    def get(self, request, run_id):
        run = ImportRun.objects.filter(pk=run_id).first() if str(run_id).isdigit() else None
        if run is None:
            raise exceptions.NotFound(f"No import has id {run_id}.")
        return Response(ImportRunSerializer(run).data)


class RestorationFiguresView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="restoration_figures",
        summary="The restoration campaign in figures",
        description="Subjects per triage bucket now and at the end of each of the last `days` days, the time "
        "from a subject's first proposal to its first approved U.S.-person determination (median, 90th "
        "percentile, in hours), and how many triaged subjects are still held.",
        parameters=[FiguresQuerySerializer],
        responses={200: RestorationFiguresSerializer, **problems()},
        tags=["restoration"],
    )
    def get(self, request):
        days = self.query(FiguresQuerySerializer)["days"]
        durations = figures.intake_to_restored()
        data = {
            "buckets": figures.bucket_counts(),
            "over_time": [{"on": day.on, "counts": day.counts} for day in figures.buckets_over_time(days=days)],
            "intake_to_restored": {
                "restored": durations.restored,
                "median_hours": durations.median_hours,
                "p90_hours": durations.p90_hours,
            },
            "held": figures.held().count(),
        }
        return Response(RestorationFiguresSerializer(data).data)
