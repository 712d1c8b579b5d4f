from django import forms

from licensing.restoration.models import Bucket, FileKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=FileKind.choices, label="What the file holds")
    file = forms.FileField(label="CSV or XLSX file", help_text="The first row names the columns; at most 20 MB.")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run: check every row and report, writing nothing"
    )


class MoveForm(forms.Form):
    bucket = forms.ChoiceField(choices=Bucket.choices, label="Move to")
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the subject belongs there."
    )
