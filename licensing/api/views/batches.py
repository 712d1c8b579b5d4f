from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.batches.models import DeterminationBatch

from ..errors import problems
from ..serializers.batches import BatchSerializer
from .base import ApiView

BATCH_ID = OpenApiParameter("batch_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The batch's id.")


def find_batch(batch_id: str) -> DeterminationBatch:
    row = int(batch_id) if batch_id.isascii() and batch_id.isdigit() and len(batch_id) < 19 else None
    batch = (
        DeterminationBatch.objects.select_related("prepared_by", "reviewer").filter(pk=row).first()
        if row is not None
        else None
    )
    if batch is None:
        raise exceptions.NotFound(f"No batch of determinations has the id {batch_id}.")
    return batch


class BatchView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="batches_read",
        summary="Read a batch of determinations: its status, its sample and how far its approval has got",
        parameters=[BATCH_ID],
        responses={200: BatchSerializer, **problems(404)},
        tags=["batches"],
    )
    def get(self, request, batch_id):
        batch = find_batch(batch_id)
        body = {
            "id": batch.pk,
            "status": batch.status,
            "buckets": batch.buckets,
            "effective_on": batch.effective_on,
            "prepared_by": batch.prepared_by.get_username(),
            "reviewer": batch.reviewer.get_username() if batch.reviewer else None,
            "sample_size": batch.sample_size,
            "sample_seed": batch.sample_seed,
            "sample_opened": batch.entries.filter(sampled=True, opened_at__isnull=False).count(),
            "stop_reason": batch.stop_reason,
            "counts": batch.counts(),
            "created_at": batch.created_at,
            "approved_at": batch.approved_at,
            "finished_at": batch.finished_at,
        }
        return Response(BatchSerializer(body).data)
