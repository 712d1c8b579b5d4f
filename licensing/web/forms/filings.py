import re

from django import forms

from licensing.cases.models import LicenceApplication
from licensing.filings.models import FilingKind
from licensing.parties.models import Customer

REFERENCE = re.compile(r"^(?:EXD-)?0*(\d+)$", re.IGNORECASE)


class GenerateFilingForm(forms.Form):
    kind = forms.ChoiceField(choices=FilingKind.choices, label="Document")


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For a hold: the agency request or matter. For a release: who lifted it and why.",
    )


class KnownTransferForm(forms.Form):
    transferred_on = forms.DateField(
        label="Date of the reexport or transfer", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(max_length=2000, label="How it became known", widget=forms.Textarea(attrs={"rows": 2}))


class ExportPackageForm(forms.Form):
    applications = forms.CharField(
        required=False,
        label="Applications",
        help_text=(
            "References or ids separated by commas or spaces, e.g. EXD-000012 EXD-000015. "
            "Leave empty to use the filter."
        ),
    )
    customer = forms.CharField(required=False, label="Customer (billing id)", max_length=100)
    status = forms.MultipleChoiceField(
        choices=LicenceApplication.Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    created_from = forms.DateField(
        required=False, label="Opened on or after", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        required=False, label="Opened on or before", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_applications(self) -> list[int]:
        ids = []
        for token in re.split(r"[\s,;]+", self.cleaned_data["applications"].strip()):
            if not token:
                continue
            match = REFERENCE.match(token)
            if match is None:
                raise forms.ValidationError(f"{token!r} is not an application reference (EXD-000123) or id.")
            ids.append(int(match.group(1)))
        return ids

    def clean_customer(self) -> Customer | None:
        external_id = self.cleaned_data["customer"].strip()
        if not external_id:
            return None
        customer = Customer.objects.filter(external_id=external_id).first()
        if customer is None:
            raise forms.ValidationError(f"No customer has the billing id {external_id!r}.")
        return customer

    def selection(self) -> dict:
        data = self.cleaned_data
        return {
            "application_ids": data["applications"] or None,
            "customer": data["customer"],
            "statuses": data["status"] or None,
            "created_from": data["created_from"],
            "created_to": data["created_to"],
        }
