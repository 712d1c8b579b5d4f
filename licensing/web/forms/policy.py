"""Forms of the rule-change pages: they parse input; licensing.policy.services holds the rules."""

import re

from django import forms

from licensing.parties.models import Customer
from licensing.policy.models import RuleChange
from licensing.reference.models import Activity, ControlledItem, CountryGroup, LicenceRequirement

MAX_PARTNERS = 500


class DraftChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=RuleChange.Kind.choices)
    requirement = forms.ModelChoiceField(
        queryset=LicenceRequirement.objects.all(), required=False, help_text="The letter a relaxation lifts."
    )
    country_group = forms.ModelChoiceField(
        queryset=CountryGroup.objects.all(),
        required=False,
        help_text="The group relaxed, or the group a new requirement names.",
    )
    customers = forms.CharField(
        label="Trusted partners",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Customers' external ids, separated by commas or new lines.",
    )
    item = forms.ModelChoiceField(
        queryset=ControlledItem.objects.all(),
        required=False,
        help_text="The item relaxed, or the item a new requirement covers.",
    )
    title = forms.CharField(max_length=200, required=False, help_text="A new requirement's title.")
    legal_basis = forms.CharField(max_length=200, required=False, help_text="A new requirement's legal basis.")
    scope = forms.ChoiceField(
        choices=[("", "—"), *LicenceRequirement.Scope.choices],
        required=False,
        help_text="Whom a new requirement reaches.",
    )
    activities = forms.MultipleChoiceField(
        choices=Activity.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def clean_customers(self) -> list[Customer]:
        ids = [part for part in re.split(r"[\s,]+", self.cleaned_data["customers"]) if part]
        if len(ids) > MAX_PARTNERS:
            raise forms.ValidationError(f"Name at most {MAX_PARTNERS} partners in one change.")
        found = {customer.external_id: customer for customer in Customer.objects.filter(external_id__in=ids)}
        unknown = [external_id for external_id in ids if external_id not in found]
        if unknown:
            raise forms.ValidationError(f"No customer has the external id {', '.join(unknown[:10])}.")
        return [found[external_id] for external_id in dict.fromkeys(ids)]


class ApproveChangeForm(forms.Form):
    effective_on = forms.DateField(
        label="Takes effect on", widget=forms.DateInput(attrs={"type": "date"}), help_text="Today or a later day."
    )


class WithdrawChangeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
