"""The BIS-748P blocks as forms, numbered as on the paper form."""

from django import forms
from django.db import models

from licensing.cases.models import ApplicationParty, ApplicationType, LicenceApplication, SupportingDocumentKind

from .parties import CustomerReferenceField, country_field

# (block heading, the fields under it) in the order of the form.
BLOCKS = (
    ("Contact (blocks 1 to 3)", ("contact_name", "contact_phone", "contact_fax")),
    (
        "Application (blocks 5 to 13)",
        (
            "application_type",
            "documents_submitted",
            "documents_on_file",
            "special_comprehensive_licence",
            "special_purpose",
            "resubmission_control_number",
            "replacement_licence_number",
            "items_previously_exported",
            "import_certificate",
        ),
    ),
    ("End use and remarks (blocks 21 and 24)", ("specific_end_use", "additional_information")),
    ("Signature (block 25)", ("signer_name", "signer_title")),
)


def _label(name: str) -> str:
    field = LicenceApplication._meta.get_field(name)
    assert isinstance(field, models.Field), "labels are of the application's own fields"
    label = str(field.verbose_name)
    number, _, rest = label.partition(" ")
    return f"{number} {rest[0].upper()}{rest[1:]}" if number.isdigit() else label[0].upper() + label[1:]


class ApplicationForm(forms.Form):
    contact_name = forms.CharField(max_length=150, required=False)
    contact_phone = forms.CharField(max_length=40, required=False)
    contact_fax = forms.CharField(max_length=40, required=False)
    application_type = forms.ChoiceField(choices=ApplicationType.choices)
    documents_submitted = forms.MultipleChoiceField(
        choices=SupportingDocumentKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    documents_on_file = forms.MultipleChoiceField(
        choices=SupportingDocumentKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    special_comprehensive_licence = forms.BooleanField(required=False)
    special_purpose = forms.CharField(max_length=300, required=False)
    resubmission_control_number = forms.CharField(
        max_length=7, required=False, help_text="A letter and six digits, e.g. Z123456."
    )
    replacement_licence_number = forms.CharField(max_length=20, required=False)
    items_previously_exported = forms.CharField(max_length=300, required=False)
    import_certificate = forms.CharField(max_length=200, required=False)
    specific_end_use = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    additional_information = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    signer_name = forms.CharField(max_length=150, required=False)
    signer_title = forms.CharField(max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = _label(name)

    def clean_resubmission_control_number(self):
        return self.cleaned_data["resubmission_control_number"].strip().upper()

    @classmethod
    def initial_for(cls, application: LicenceApplication) -> dict:
        return {name: getattr(application, name) for name in cls.base_fields}

    def blocks(self):
        return [(heading, [self[name] for name in names]) for heading, names in BLOCKS]


class ItemForm(forms.Form):
    eccn = forms.CharField(label="22a ECCN", max_length=10)
    ctp = forms.CharField(label="22b CTP", max_length=40, required=False)
    model_number = forms.CharField(label="22c Model number", max_length=100, required=False)
    ccats_number = forms.CharField(label="22d CCATS number", max_length=20, required=False)
    quantity = forms.DecimalField(label="22e Quantity", max_digits=14, decimal_places=2, min_value=0, required=False)
    units = forms.CharField(label="22f Units", max_length=20, required=False)
    unit_price = forms.DecimalField(
        label="22g Unit price", max_digits=14, decimal_places=2, min_value=0, required=False
    )
    total_price = forms.DecimalField(
        label="22h Total price",
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Left empty, it is quantity × unit price.",
    )
    manufacturer = forms.CharField(label="22i Manufacturer", max_length=200, required=False)
    technical_description = forms.CharField(
        label="22j Technical description", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PartyForm(forms.Form):
    role = forms.ChoiceField(label="Block", choices=[("", "— choose —"), *ApplicationParty.Role.choices])
    customer = CustomerReferenceField(label="Customer (billing id, if a customer)", required=False)
    name = forms.CharField(max_length=300)
    address = forms.CharField(max_length=300, required=False)
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = country_field("Country")
    telephone = forms.CharField(max_length=40, required=False)
    website = forms.CharField(max_length=200, required=False)

    @classmethod
    def initial_for(cls, party: ApplicationParty) -> dict:
        return {name: getattr(party, name) for name in cls.base_fields}
