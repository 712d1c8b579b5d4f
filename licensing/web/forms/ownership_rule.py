from django import forms

from licensing.cases.models import OwnershipRulePeriod

from . import DateInput


class OwnershipRulePeriodForm(forms.Form):
    """Suspend the ownership rule, or put it in force again, from a day."""

    status = forms.ChoiceField(choices=OwnershipRulePeriod.Status.choices, label="From that day the rule is")
    effective_from = forms.DateField(widget=DateInput, label="From (today or later)")
    effective_until = forms.DateField(widget=DateInput, required=False, label="Until (inclusive; empty while it lasts)")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, help_text="The notice or instruction behind it."
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_until")
        if start and end and end < start:
            self.add_error("effective_until", "Ends before it starts.")
        return cleaned
