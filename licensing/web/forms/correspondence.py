"""The case papers that carry a document: the signed BIS-711 and the response to an intent to deny."""

from django import forms

from . import DateInput


class ConsigneeStatementForm(forms.Form):
    signer_name = forms.CharField(label="Signed by", max_length=150)
    signer_title = forms.CharField(label="Signer's title", max_length=150)
    signed_on = forms.DateField(label="Signed on", widget=DateInput)
    document = forms.FileField(label="The signed statement", help_text="The signed PDF; at most 10 MB.")


class IntentToDenyResponseForm(forms.Form):
    responded_on = forms.DateField(label="Responded on", widget=DateInput)
    text = forms.CharField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was answered, or its gist if it went as a document.",
    )
    document = forms.FileField(
        label="Document sent (optional)", required=False, help_text="PDF, PNG, JPEG or TIFF; at most 10 MB."
    )
