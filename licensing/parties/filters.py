"""The filters of the customers list, one FilterSet for the officers' list and the API's."""

import django_filters

from licensing.reference.models import Country

from .models import Customer


def _countries():
    # Asked when a FilterSet is made, never at import: the table may not exist yet.
    return Country.objects.order_by("name").values_list("code", "name")


class CustomerFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Kind", choices=Customer.Kind.choices)
    status = django_filters.ChoiceFilter(label="Status", choices=Customer.Status.choices)
    country = django_filters.ChoiceFilter(
        label="Incorporated in", field_name="country_of_incorporation", choices=_countries
    )
    updated_since = django_filters.IsoDateTimeFilter(label="Updated since", field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Customer
        fields: list[str] = []
