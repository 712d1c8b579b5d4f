from django import forms

from licensing.deadlines.models import Deadline


class SettleForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Deadline.Status.MET, "Met"), (Deadline.Status.CANCELLED, "No longer applies")],
        label="What happened",
    )
    on = forms.DateField(label="On", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason or reference", required=False, max_length=2000, widget=forms.Textarea)


class DigestForm(forms.Form):
    daily_digest = forms.BooleanField(required=False, label="Send my reminders as one e-mail a day")
