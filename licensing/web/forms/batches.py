from django import forms
from django.utils import timezone

from licensing.restoration.models import Bucket

from . import DateInput

BATCH_BUCKETS = [
    (Bucket.RESTORABLE.value, Bucket.RESTORABLE.label),
    (Bucket.LICENCE_REQUIRED.value, Bucket.LICENCE_REQUIRED.label),
]


class PrepareBatchForm(forms.Form):
    buckets = forms.MultipleChoiceField(
        choices=BATCH_BUCKETS, widget=forms.CheckboxSelectMultiple, initial=[Bucket.RESTORABLE.value]
    )
    effective_on = forms.DateField(widget=DateInput())
    limit = forms.IntegerField(
        min_value=1, max_value=100_000, required=False, help_text="At most this many subjects (empty: all waiting)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
