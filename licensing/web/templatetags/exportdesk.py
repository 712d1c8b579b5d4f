"""Template helpers: permission checks, links to records, and how events and statuses read."""

import datetime

from django import template
from django.urls import reverse
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.cases.models import SupportingDocumentKind

from ..event_text import DETAIL_URLS, changes

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    """{% if user|can:"edit_parties" %}: the role table decides what is shown."""
    return user_can(user, Action(action))


@register.filter
def url_of(obj) -> str:
    if obj is None:
        return ""
    name = DETAIL_URLS.get(obj._meta.model_name)
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


@register.filter
def event_changes(event) -> list[str]:
    """Each changed field in words, as the auditor's desk gives it."""
    return changes(event)


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
