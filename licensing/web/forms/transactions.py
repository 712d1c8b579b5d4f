from django import forms

from licensing.parties.models import Person
from licensing.reference.models import Activity, ControlledItem

from .parties import CustomerReferenceField, country_field


class TransactionForm(forms.Form):
    external_id = forms.CharField(label="Billing transaction id", max_length=100)
    customer = CustomerReferenceField(label="Customer (billing id)")
    person = forms.CharField(
        label="Person (billing person id)",
        max_length=100,
        required=False,
        help_text="For a release to a natural person: their billing id within the customer.",
    )
    item = forms.ModelChoiceField(ControlledItem.objects.all(), empty_label="— choose —")
    activity = forms.ChoiceField(choices=[("", "— choose —"), *Activity.choices])
    destination_country = country_field("Destination (where the item goes or is released)")
    quantity = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = forms.CharField(max_length=3, initial="USD")
    end_use = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        cleaned = super().clean()
        customer, person_id = cleaned.get("customer"), (cleaned.get("person") or "").strip()
        if customer is not None and person_id:
            person = Person.objects.filter(customer=customer, external_id=person_id).first()
            if person is None:
                self.add_error("person", f"{customer} has no person with the id {person_id}.")
            cleaned["person"] = person
        else:
            cleaned["person"] = None
        return cleaned

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("external_id")
        data["destination_country_id"] = data.pop("destination_country").pk
        return data
