from django import forms

from licensing.parties.models import Customer, CustomerAddress, EvidenceDocument, Person, StatusRecord, Visa
from licensing.reference.models import Country

from . import DateInput


class CustomerReferenceField(forms.CharField):
    """A customer named by billing's external id: a select of 100,000 customers helps nobody."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("help_text", "Billing's customer id, for example CUST-DE-UNIRH.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        customer = Customer.objects.filter(external_id=value).first()
        if customer is None:
            raise forms.ValidationError(f"No customer has the id {value}.")
        return customer

    def prepare_value(self, value):
        if isinstance(value, Customer):
            return value.external_id
        if isinstance(value, int):
            return Customer.objects.filter(pk=value).values_list("external_id", flat=True).first() or ""
        return value


def country_field(label, *, required=True, help_text=""):
    return forms.ModelChoiceField(
        Country.objects.all(), label=label, required=required, help_text=help_text, empty_label="— choose —"
    )


class CustomerForm(forms.Form):
    external_id = forms.CharField(
        label="Billing id", max_length=100, help_text="How billing refers to the customer; it cannot change later."
    )
    kind = forms.ChoiceField(choices=Customer.Kind.choices)
    legal_name = forms.CharField(max_length=300)
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One other name per line."
    )
    country_of_incorporation = country_field(
        "Country of incorporation (or residence)", required=False, help_text="For an individual: residence."
    )
    headquarters_country = country_field("Headquarters country", required=False)
    ultimate_parent = CustomerReferenceField(label="Ultimate parent (billing id)", required=False)

    def __init__(self, *args, editing: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            self.fields["external_id"].disabled = True
            self.initial.setdefault("external_id", editing.external_id)

    def clean_aliases(self):
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]

    def clean_external_id(self):
        value = self.cleaned_data["external_id"].strip()
        if self.editing is None and Customer.objects.filter(external_id=value).exists():
            raise forms.ValidationError(f"A customer with the billing id {value} exists already.")
        return value

    @classmethod
    def initial_for(cls, customer: Customer) -> dict:
        return {
            "external_id": customer.external_id,
            "kind": customer.kind,
            "legal_name": customer.legal_name,
            "aliases": "\n".join(customer.aliases or []),
            "country_of_incorporation": customer.country_of_incorporation_id,
            "headquarters_country": customer.headquarters_country_id,
            "ultimate_parent": customer.ultimate_parent,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("external_id")
        return data


class AddressForm(forms.Form):
    kind = forms.ChoiceField(choices=CustomerAddress.Kind.choices)
    line1 = forms.CharField(label="Address line 1", max_length=200)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(max_length=100)
    region = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = country_field("Country")


class PersonAddressForm(forms.Form):
    line1 = forms.CharField(label="Address line 1", max_length=200)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(max_length=100)
    region = forms.CharField(label="State or region", max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = country_field("Country")
    since_on = forms.DateField(
        label="Lives here since",
        widget=DateInput,
        required=False,
        help_text="Empty for today. The address before ends on this day.",
    )


class VisaForm(forms.Form):
    kind = forms.ChoiceField(label="Visa type", choices=[("", "— choose —"), *Visa.Kind.choices])
    number = forms.CharField(
        label="Visa number", max_length=40, help_text="As printed on the visa foil; shown only to compliance."
    )
    expires_on = forms.DateField(label="Expires on", widget=DateInput)


class CustomerStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Customer.Status.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Why; billing sees this reason.")


class OwnershipForm(forms.Form):
    owner = CustomerReferenceField(label="Owner (billing id, if a customer)", required=False)
    owner_name = forms.CharField(label="Owner's name (if not a customer)", max_length=300, required=False)
    percentage = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    verified_on = forms.DateField(widget=DateInput)
    source = forms.CharField(max_length=300, help_text="Where the figure comes from (registry, filing).")


class PersonForm(forms.Form):
    customer = CustomerReferenceField(label="Customer (billing id)", required=False)
    external_id = forms.CharField(label="Billing person id", max_length=100, required=False)
    relationship = forms.ChoiceField(choices=Person.Relationship.choices)
    given_name = forms.CharField(max_length=150)
    family_name = forms.CharField(max_length=150)
    date_of_birth = forms.DateField(widget=DateInput, required=False)
    employer = CustomerReferenceField(label="Employer (billing id, if a customer)", required=False)
    employer_name = forms.CharField(max_length=300, required=False)
    location_country = country_field("Where the person is located")
    email = forms.EmailField(required=False)

    def __init__(self, *args, show_evidence: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # A date of birth is personal evidence: roles that may not see it may not edit it.
        if not show_evidence:
            del self.fields["date_of_birth"]

    @classmethod
    def initial_for(cls, person: Person) -> dict:
        return {
            "customer": person.customer,
            "external_id": person.external_id,
            "relationship": person.relationship,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "employer": person.employer,
            "employer_name": person.employer_name,
            "location_country": person.location_country_id,
            "email": person.email,
        }


class StatusRecordForm(forms.Form):
    # An empty first choice lets a blank row of the formset count as unchanged.
    kind = forms.ChoiceField(label="Status", choices=[("", "— choose —"), *StatusRecord.Kind.choices])
    country = country_field("Country")
    acquired_on = forms.DateField(widget=DateInput)
    ended_on = forms.DateField(widget=DateInput, required=False, help_text="Leave empty while it is held.")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The model's own rules (end after start, protected status is U.S.),
        # checked here so the row with the mistake carries the message.
        record = StatusRecord(
            kind=cleaned["kind"],
            country=cleaned["country"],
            acquired_on=cleaned["acquired_on"],
            ended_on=cleaned.get("ended_on"),
        )
        try:
            record.clean()
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


class StatusRowsFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


StatusFormSet = forms.formset_factory(StatusRecordForm, formset=StatusRowsFormSet, extra=2, max_num=10)


class EndStatusForm(forms.Form):
    ended_on = forms.DateField(widget=DateInput, label="Ended on")


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceDocument.Kind.choices)
    file = forms.FileField(help_text="PDF, PNG, JPEG or TIFF; at most 10 MB.")
    description = forms.CharField(max_length=300, required=False)
