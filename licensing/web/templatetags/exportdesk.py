"""Template helpers: permission checks, links to records, and how events and statuses read."""

import datetime

from django import template
from django.urls import reverse
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.cases.models import Decision, Licence, LicenceApplication, SupportingDocumentKind
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer
from licensing.parties.status import Basis, Outcome

register = template.Library()

_DETAIL_URLS = {
    "customer": "customer_detail",
    "person": "person_detail",
    "foreignpersondetermination": "determination_detail",
    "transaction": "transaction_detail",
    "licenceapplication": "application_detail",
    "licence": "licence_detail",
}


@register.filter
def can(user, action: str) -> bool:
    """{% if user|can:"edit_parties" %}: the role table decides what is shown."""
    return user_can(user, Action(action))


@register.filter
def url_of(obj) -> str:
    if obj is None:
        return ""
    name = _DETAIL_URLS.get(obj._meta.model_name)
    if name is None:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    return reverse(name, args=[obj.pk])


@register.filter
def document_kinds(values) -> str:
    """Block 6 or 7 of an application, in words."""
    labels = dict(SupportingDocumentKind.choices)
    return "; ".join(str(labels.get(value, value)) for value in values or ())


@register.filter
def verb_label(verb: str) -> str:
    """'application.record_registration' reads 'Record registration'."""
    text = verb.rsplit(".", 1)[-1].replace("_", " ")
    return text[:1].upper() + text[1:]


# Stored codes as people read them in a timeline ("in_review" reads "In review").
_LABELS = {
    str(value): str(label)
    for choices in (
        LicenceApplication.Status,
        Licence.Status,
        ForeignPersonDetermination.Status,
        Customer.Status,
        Decision,
        Outcome,
        Basis,
        SupportingDocumentKind,
    )
    for value, label in choices.choices
}


def _plain(value) -> str:
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    if value in (None, ""):
        return "—"
    return _LABELS.get(str(value), str(value))


@register.filter
def event_changes(event) -> list[str]:
    """Each changed field as 'field: before → after', or 'field: value' for new facts."""
    before, after = event.before or {}, event.after or {}
    lines = []
    for name in list(dict.fromkeys([*before, *after])):
        label = name.replace("_", " ")
        if name in before and name in after:
            if before[name] != after[name]:
                lines.append(f"{label}: {_plain(before[name])} → {_plain(after[name])}")
        elif name in after:
            lines.append(f"{label}: {_plain(after[name])}")
        else:
            lines.append(f"{label} was {_plain(before[name])}")
    return lines


@register.filter
def waited(since) -> str:
    """How long since a moment, in days and hours: '3 d 4 h'."""
    if since is None:
        return ""
    delta = timezone.now() - since
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {delta.seconds % 3600 // 60} min"


@register.filter
def days_until(day: datetime.date) -> int:
    return (day - timezone.localdate()).days


@register.simple_tag(takes_context=True)
def sort_query(context, key: str) -> str:
    """The query string that sorts by key, flipping the direction when it is the current sort."""
    request = context["request"]
    current = context["chosen"]["sort"]
    wanted = f"-{key}" if current == key else key
    query = request.GET.copy()
    query["sort"] = wanted
    query.pop("page", None)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def csv_query(context) -> str:
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return "?" + query.urlencode()
