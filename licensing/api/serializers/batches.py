"""A batch of determinations as the API gives it: where it stands, its sample and its approval's progress."""

from rest_framework import serializers


class BatchCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Subjects taken into the batch.")
    pending = serializers.IntegerField(help_text="Waiting to be prepared.")
    prepared = serializers.IntegerField(help_text="Determination in review, not yet approved.")
    approved = serializers.IntegerField(help_text="Determination approved.")
    left_out = serializers.IntegerField(help_text="Left out (facts disagree with the bucket, or acted on alone).")
    redecided = serializers.IntegerField(
        help_text="Approved subjects whose held transactions have been decided again since (billing is told by "
        "the transaction.decided webhook)."
    )


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="preparing, prepared, in_review, approving, approved or stopped.")
    buckets = serializers.ListField(child=serializers.CharField())
    effective_on = serializers.DateField()
    prepared_by = serializers.CharField()
    reviewer = serializers.CharField(allow_null=True)
    sample_size = serializers.IntegerField(help_text="max(20, 2% of the batch), or all when smaller.")
    sample_seed = serializers.IntegerField(allow_null=True, help_text="The seed the sample was drawn with.")
    sample_opened = serializers.IntegerField(help_text="Sampled subjects the reviewer has opened.")
    stop_reason = serializers.CharField(allow_blank=True)
    counts = BatchCountsSerializer()
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
