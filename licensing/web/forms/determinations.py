from django import forms

from . import DateInput


class DeterminationForm(forms.Form):
    effective_on = forms.DateField(widget=DateInput, help_text="The day the determination speaks for.")
    review_by = forms.DateField(
        widget=DateInput, required=False, help_text="Leave empty for the standard review period."
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
