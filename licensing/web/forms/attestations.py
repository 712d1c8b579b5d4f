"""The customer's attestation form (no sign-in), and the officers' forms to send and revoke links."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

from licensing.parties.models import EvidenceDocument
from licensing.reference.models import Country

from . import DateInput

OWNER_ROWS = 4
CITIZENSHIP_ROWS = 3
RESIDENCY_ROWS = 2
DOCUMENT_ROWS = 3


def _countries():
    return [("", "—"), *Country.objects.order_by("name").values_list("code", "name")]


class AttestationForm(forms.Form):
    """One form for both kinds of subject: an entity's questions or a person's, chosen when it is built."""

    def __init__(self, *args, about_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.about_person = about_person
        countries = _countries()
        if about_person:
            for i in range(1, CITIZENSHIP_ROWS + 1):
                self.fields[f"citizenship_{i}_country"] = forms.ChoiceField(
                    label=f"Citizenship {i}", choices=countries, required=i == 1
                )
                self.fields[f"citizenship_{i}_since"] = forms.DateField(
                    label="held since", widget=DateInput(), required=i == 1
                )
            for i in range(1, RESIDENCY_ROWS + 1):
                self.fields[f"residency_{i}_country"] = forms.ChoiceField(
                    label=f"Permanent residency {i}", choices=countries, required=False
                )
                self.fields[f"residency_{i}_since"] = forms.DateField(
                    label="held since", widget=DateInput(), required=False
                )
        else:
            self.fields["country_of_incorporation"] = forms.ChoiceField(
                label="Country of incorporation", choices=countries
            )
            self.fields["headquarters_country"] = forms.ChoiceField(
                label="Headquarters country", choices=countries, required=False
            )
            for i in range(1, OWNER_ROWS + 1):
                self.fields[f"owner_{i}_name"] = forms.CharField(
                    label=f"Owner {i} of 25% or more", max_length=300, required=False
                )
                self.fields[f"owner_{i}_country"] = forms.ChoiceField(
                    label="country", choices=countries, required=False
                )
                self.fields[f"owner_{i}_percentage"] = forms.DecimalField(
                    label="share (%)", max_digits=5, decimal_places=2, required=False
                )
        self.fields["end_use"] = forms.CharField(
            label="What will the models be used for?", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
        )
        kinds = [("", "—"), *EvidenceDocument.Kind.choices]
        for i in range(1, DOCUMENT_ROWS + 1):
            self.fields[f"document_{i}_kind"] = forms.ChoiceField(label=f"Document {i}", choices=kinds, required=False)
            self.fields[f"document_{i}_file"] = forms.FileField(label="file (PDF, PNG, JPEG, TIFF)", required=False)
        self.fields["signed_name"] = forms.CharField(label="Your full name (signature)", max_length=200)
        self.fields["signed_title"] = forms.CharField(label="Your title or role", max_length=200)
        self.fields["confirm"] = forms.BooleanField(
            label="I confirm that these answers are true and complete to the best of my knowledge."
        )

    def rows(self, prefix: str, count: int, *parts: str) -> list[list]:
        """The bound fields of each repeated row, for the template."""
        return [[self[f"{prefix}_{i}_{part}"] for part in parts] for i in range(1, count + 1)]

    def answers(self) -> dict:
        data = self.cleaned_data
        answers: dict = {"end_use": data["end_use"]}
        if self.about_person:
            answers["citizenships"] = [
                {"country": data[f"citizenship_{i}_country"], "since": data[f"citizenship_{i}_since"]}
                for i in range(1, CITIZENSHIP_ROWS + 1)
                if data.get(f"citizenship_{i}_country") or data.get(f"citizenship_{i}_since")
            ]
            answers["permanent_residencies"] = [
                {"country": data[f"residency_{i}_country"], "since": data[f"residency_{i}_since"]}
                for i in range(1, RESIDENCY_ROWS + 1)
                if data.get(f"residency_{i}_country") or data.get(f"residency_{i}_since")
            ]
        else:
            answers["country_of_incorporation"] = data["country_of_incorporation"]
            answers["headquarters_country"] = data.get("headquarters_country")
            answers["owners"] = [
                {
                    "name": data[f"owner_{i}_name"],
                    "country": data[f"owner_{i}_country"],
                    "percentage": data[f"owner_{i}_percentage"],
                }
                for i in range(1, OWNER_ROWS + 1)
                if data.get(f"owner_{i}_name") or data.get(f"owner_{i}_percentage") is not None
            ]
        return answers

    def documents(self) -> list[tuple[str, UploadedFile]]:
        found = []
        for i in range(1, DOCUMENT_ROWS + 1):
            upload = self.cleaned_data.get(f"document_{i}_file")
            if upload is not None:
                found.append((self.cleaned_data.get(f"document_{i}_kind") or EvidenceDocument.Kind.OTHER, upload))
        return found


class SendLinkForm(forms.Form):
    contact_email = forms.EmailField(
        label="Contact e-mail", required=False, help_text="Leave empty to use the subject's own address."
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300)
