"""The filters of the applications and licences lists, one FilterSet each for the officers' list and the API's.

Filters that speak of "me" read the request's user; an API token has none, so
for it "me" matches nothing rather than everything.
"""

import datetime

import django_filters
from django.utils import timezone

from licensing.accounts.models import User
from licensing.reference.models import Activity, Country

from .models import FINAL_APPLICATION_STATUSES, ApplicationType, Licence, LicenceApplication
from .queues import RUNNING

A = LicenceApplication.Status

ASSIGNED = (("me", "To me"), ("nobody", "To nobody"), ("others", "To others"))
STAGES = (("open", "Open"), ("decided", "Decided by BIS or withdrawn"), ("review", "Awaiting my review"))
DUE = (("overdue", "Overdue"), ("7", "Within 7 days"), ("30", "Within 30 days"), ("none", "No running clock"))
EXPIRING = (("30", "Within 30 days"), ("90", "Within 90 days"))


def _countries():
    # Asked when a FilterSet is made, never at import: the table may not exist yet.
    return Country.objects.order_by("name").values_list("code", "name")


def _user(filterset) -> User | None:
    # An API client is no person: it has no "me" and no work of its own to review.
    user = getattr(filterset.request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=A.choices)
    stage = django_filters.ChoiceFilter(label="Stage", choices=STAGES, method="filter_stage")
    assigned = django_filters.ChoiceFilter(label="Assigned", choices=ASSIGNED, method="filter_assigned")
    type = django_filters.ChoiceFilter(label="Type", field_name="application_type", choices=ApplicationType.choices)
    due = django_filters.ChoiceFilter(label="Next deadline", choices=DUE, method="filter_due")
    customer = django_filters.CharFilter(label="Customer", field_name="customer__external_id")
    updated_since = django_filters.IsoDateTimeFilter(label="Updated since", field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = LicenceApplication
        fields: list[str] = []

    def filter_stage(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "decided":
            return queryset.filter(status__in=FINAL_APPLICATION_STATUSES)
        user = _user(self)
        reviewing = queryset.filter(status=A.IN_REVIEW)
        return reviewing.exclude(prepared_by=user) if user else reviewing

    def filter_assigned(self, queryset, name, value):
        if value == "nobody":
            return queryset.filter(assigned_officer__isnull=True)
        user = _user(self)
        if value == "me":
            return queryset.filter(assigned_officer=user) if user else queryset.none()
        others = queryset.filter(assigned_officer__isnull=False)
        return others.exclude(assigned_officer=user) if user else others

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        running = queryset.filter(RUNNING)
        if value == "none":
            return queryset.exclude(pk__in=running.values("pk"))
        if value == "overdue":
            return queryset.filter(pk__in=running.filter(deadlines__due_on__lt=today).values("pk"))
        horizon = today + datetime.timedelta(days=int(value))
        return queryset.filter(pk__in=running.filter(deadlines__due_on__lte=horizon).values("pk"))


class LicenceFilter(django_filters.FilterSet):
    """Licences by their status as it stands today, scope, customer and expiry."""

    status = django_filters.ChoiceFilter(label="Status", choices=Licence.Status.choices, method="filter_status")
    activity = django_filters.ChoiceFilter(label="Activity", choices=Activity.choices)
    country = django_filters.ChoiceFilter(label="Country", field_name="country", choices=_countries)
    expiring = django_filters.ChoiceFilter(label="Expiring", choices=EXPIRING, method="filter_expiring")
    expiring_before = django_filters.DateFilter(label="Expiring before", method="filter_expiring_before")
    customer = django_filters.CharFilter(label="Customer billing id", field_name="customer__external_id")
    updated_since = django_filters.IsoDateTimeFilter(label="Updated since", field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Licence
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        # A licence past its last valid day is expired whether or not the nightly task has recorded it.
        return queryset.standing_on(value, timezone.localdate())

    def filter_expiring(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.active_on(today).filter(valid_until__lte=today + datetime.timedelta(days=int(value)))

    def filter_expiring_before(self, queryset, name, value):
        """Licences in force today whose last valid day falls before the date given."""
        return queryset.active_on(timezone.localdate()).filter(valid_until__lt=value)
