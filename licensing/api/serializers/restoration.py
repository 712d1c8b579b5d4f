from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.restoration.models import ImportRun


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="The line (row) of the file or record of the body.")
    column = serializers.CharField(allow_null=True, help_text="The column or field at fault.")
    problem = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    problem_count = serializers.IntegerField()
    problems = ImportProblemSerializer(many=True, help_text="The first 1,000 problems; problem_count counts all.")
    truncated = serializers.BooleanField()


class ScreeningProgressSerializer(serializers.Serializer):
    screened = serializers.IntegerField(help_text="Created or changed customers and seats whose screening is done.")
    total = serializers.IntegerField(help_text="Customers and seats the import created or changed.")


class ImportRunSerializer(serializers.ModelSerializer):
    report = ImportReportSerializer()
    percent = serializers.IntegerField(help_text="Rows written, in percent of the rows.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Created, changed, unchanged.")
    screening = serializers.SerializerMethodField(help_text="The screening of what the import wrote, after it.")

    @extend_schema_field(ScreeningProgressSerializer)
    def get_screening(self, run: ImportRun) -> dict[str, int]:
        screened, total = run.screening_progress()
        return {"screened": screened, "total": total}

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "source",
            "status",
            "dry_run",
            "total",
            "done",
            "percent",
            "counts",
            "triaged",
            "screening",
            "sha256",
            "file_deleted_at",
            "report",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every record and report, writing nothing (true), or import (false)."
    )


class BucketCountsSerializer(serializers.Serializer):
    restorable = serializers.IntegerField()
    needs_attestation = serializers.IntegerField()
    licence_required = serializers.IntegerField()
    refused = serializers.IntegerField()
    blocked_by_screening = serializers.IntegerField()
    awaiting_screening = serializers.IntegerField(
        help_text="Not yet screened as they are now against the lists in force."
    )


class DaySerializer(serializers.Serializer):
    on = serializers.DateField()
    counts = BucketCountsSerializer()


class DurationsSerializer(serializers.Serializer):
    restored = serializers.IntegerField(help_text="Subjects restored (a U.S.-person determination approved).")
    median_hours = serializers.FloatField(allow_null=True, help_text="Median hours from first proposal to restored.")
    p90_hours = serializers.FloatField(allow_null=True, help_text="90th percentile of the same.")


class RestorationFiguresSerializer(serializers.Serializer):
    buckets = BucketCountsSerializer(help_text="Subjects per bucket now.")
    over_time = DaySerializer(many=True, help_text="Subjects per bucket at the end of each day.")
    intake_to_restored = DurationsSerializer()
    held = serializers.IntegerField(help_text="Subjects triaged and not yet restored.")


class FiguresQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(default=30, min_value=1, max_value=366)
