"""The auditor's desk filters: subject, actor, action and dates, each optional."""

import datetime

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from licensing.audit.models import Event
from licensing.audit.verbs import Verb

from . import DateInput


def _actions():
    return [("", "Any"), *((value, f"{str(label).split(':', 1)[0]} ({value})") for value, label in Verb.choices)]


class EventFilterForm(forms.Form):
    subject = forms.CharField(required=False, max_length=200, help_text="A name or reference, e.g. EXD-000012.")
    kind = forms.ChoiceField(required=False, label="Kind of record")
    actor = forms.CharField(required=False, max_length=150, help_text="A username, API client or 'system'.")
    action = forms.ChoiceField(required=False, choices=_actions)
    since = forms.DateField(required=False, label="From", widget=DateInput())
    until = forms.DateField(required=False, label="To (inclusive)", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = ContentType.objects.filter(pk__in=_event_kinds()).order_by("model")
        self.fields["kind"].choices = [("", "Any"), *((str(k.pk), str(k.name).capitalize()) for k in kinds)]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The last day cannot be before the first.")
        return data

    def apply(self, events: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("subject"):
            events = events.filter(Q(target_repr__icontains=data["subject"]) | Q(target_id=data["subject"]))
        if data.get("kind"):
            events = events.filter(target_type_id=int(data["kind"]))
        if data.get("actor"):
            events = events.filter(actor_label__icontains=data["actor"])
        if data.get("action"):
            events = events.filter(verb=data["action"])
        # Days are the product's time zone's days, as the times shown are.
        if data.get("since"):
            events = events.filter(occurred_at__gte=_start_of(data["since"]))
        if data.get("until"):
            events = events.filter(occurred_at__lt=_start_of(data["until"] + datetime.timedelta(days=1)))
        return events


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _event_kinds():
    return Event.objects.order_by().values("target_type").distinct()
