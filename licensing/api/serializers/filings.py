"""What the filings API reads and answers; rules live in the services."""

from django.urls import reverse
from rest_framework import serializers

from licensing.cases.models import LicenceApplication
from licensing.filings.models import ExportPackage, Filing, FilingKind
from licensing.parties.models import Customer


class FilingRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FilingKind.choices)


class FilingSerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference")
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    generated_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "application",
            "application_reference",
            "kind",
            "kind_label",
            "version",
            "status",
            "status_label",
            "trigger",
            "requested_at",
            "generated_by",
            "generated_at",
            "application_status",
            "source_sha256",
            "sha256",
            "size_bytes",
            "page_count",
            "attempts",
            "error",
            "url",
            "pdf",
        ]
        read_only_fields = fields

    def get_generated_by(self, filing) -> str | None:
        # Filings queued by an approval name the approver; the worker renders for them.
        return filing.requested_by.get_username() if filing.requested_by_id else None

    def get_url(self, filing) -> str:
        return reverse("api-filing", args=[filing.pk])

    def get_pdf(self, filing) -> str | None:
        return reverse("api-filing-pdf", args=[filing.pk]) if filing.is_ready else None


class ExportRequestSerializer(serializers.Serializer):
    applications = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False, max_length=100_000
    )
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=LicenceApplication.Status.choices), required=False, allow_empty=False
    )
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)

    def selection(self) -> dict:
        data = self.validated_data
        return {
            "application_ids": data.get("applications"),
            "customer": data.get("customer"),
            "statuses": data.get("status"),
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
        }


class ExportPackageSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by.get_username")
    percent_done = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportPackage
        fields = [
            "id",
            "status",
            "status_label",
            "selection",
            "total",
            "done",
            "percent_done",
            "requested_by",
            "requested_at",
            "started_at",
            "completed_at",
            "attempts",
            "error",
            "sha256",
            "size_bytes",
            "file_count",
            "url",
            "download",
        ]
        read_only_fields = fields

    def get_url(self, package) -> str:
        return reverse("api-export", args=[package.pk])

    def get_download(self, package) -> str | None:
        return reverse("api-export-zip", args=[package.pk]) if package.status == ExportPackage.Status.READY else None
