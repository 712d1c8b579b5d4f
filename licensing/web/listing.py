"""Lists of records: search, filters, sorting, pages and CSV, the same way on every list.

A page costs a fixed number of queries whatever the table's size: one count,
one select of the page's rows with their related rows joined in, and one
query per prefetched relation.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    # (value, label) pairs; a callable is asked per request (e.g. "mine" needs the user).
    choices: Iterable[tuple[str, str]] | Callable
    # Given the listing's queryset (Any: each model's queryset has its own methods), the value and the request.
    apply: Callable[[Any, str, HttpRequest], QuerySet]

    def options(self, request) -> list[tuple[str, str]]:
        return list(self.choices(request) if callable(self.choices) else self.choices)


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    order_by: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    title: str
    queryset: Callable[[HttpRequest], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    search_label: str
    sorts: tuple[Sort, ...]
    default_sort: str
    rows_template: str
    csv_name: str
    csv_columns: tuple[tuple[str, Callable], ...]
    filters: tuple[Filter, ...] = ()
    # A django-filter FilterSet class, shared with the API's list of the same records; its choice
    # filters show beside `filters`.
    filterset: Any = None
    extra_context: Callable[[HttpRequest], dict] = field(default=lambda request: {})

    def sort_for(self, key: str) -> tuple[str, tuple[str, ...]]:
        wanted = key.lstrip("-")
        for sort in self.sorts:
            if sort.key == wanted:
                descending = key.startswith("-")
                order = tuple(_flip(o) if descending else o for o in sort.order_by)
                return key, order
        return self.sort_for(self.default_sort) if key != self.default_sort else (key, ())


def _flip(order: str) -> str:
    return order[1:] if order.startswith("-") else f"-{order}"


def filtered(listing: Listing, request) -> tuple[QuerySet, dict]:
    """Apply the request's search, filters and sort; return the queryset and what was chosen."""
    queryset = listing.queryset(request)
    chosen = {"q": request.GET.get("q", "").strip()[:200]}
    if chosen["q"]:
        queryset = listing.search(queryset, chosen["q"])
    if listing.filterset is not None:
        filterset = listing.filterset(request.GET, queryset=queryset, request=request)
        queryset = filterset.qs
        chosen.update({shown["name"]: shown["value"] for shown in _choice_filters(filterset) if shown["value"]})
    for spec in listing.filters:
        value = request.GET.get(spec.name, "")
        if value and value in {v for v, _ in spec.options(request)}:
            queryset = spec.apply(queryset, value, request)
            chosen[spec.name] = value
    sort_key, order = listing.sort_for(request.GET.get("sort", listing.default_sort))
    chosen["sort"] = sort_key
    # The primary key last keeps the order stable from one page to the next.
    queryset = queryset.order_by(*order, "-pk" if sort_key.startswith("-") else "pk")
    return queryset, chosen


def render_listing(request, listing: Listing, *, template: str = "web/list.html", context: dict | None = None):
    queryset, chosen = filtered(listing, request)
    if request.GET.get("format") == "csv":
        return csv_response(listing, queryset)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [
        {"name": spec.name, "label": spec.label, "options": spec.options(request), "value": chosen.get(spec.name, "")}
        for spec in listing.filters
    ]
    if listing.filterset is not None:
        filters += _choice_filters(listing.filterset(request.GET, queryset=queryset.none(), request=request))
    columns = [
        {
            "label": sort.label,
            "key": sort.key,
            "active": chosen["sort"].lstrip("-") == sort.key,
            "descending": chosen["sort"].startswith("-"),
        }
        for sort in listing.sorts
    ]
    return render(
        request,
        template,
        {
            "listing": listing,
            "page": page,
            "rows": page.object_list,
            "filters": filters,
            "sorts": columns,
            "chosen": chosen,
            **listing.extra_context(request),
            **(context or {}),
        },
    )


def _choice_filters(filterset) -> list[dict]:
    """A FilterSet's filters as the list shows them: a choice as a menu (its value kept only if it is one of
    its own), a date as a date field, a text as a text box; moments (`updated_since`) are for the API."""
    shown = []
    for name, form_field in filterset.form.fields.items():
        options = [(str(value), str(label)) for value, label in getattr(form_field, "choices", ()) if value != ""]
        value = str(filterset.form.data.get(name, ""))[:200]
        if options:
            shown.append(
                {
                    "name": name,
                    "label": str(form_field.label),
                    "options": options,
                    "value": value if value in dict(options) else "",
                }
            )
        elif isinstance(form_field, forms.DateField) or type(form_field) is forms.CharField:
            kind = "date" if isinstance(form_field, forms.DateField) else "text"
            shown.append({"name": name, "label": str(form_field.label), "options": [], "value": value, "input": kind})
    return shown


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell that starts like a formula would run as one in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(listing: Listing, queryset: QuerySet) -> StreamingHttpResponse:
    """Stream every matching row, not just one page, without holding them all in memory."""
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([label for label, _ in listing.csv_columns])
        for obj in queryset.iterator(chunk_size=2000):
            yield writer.writerow([_cell(value(obj)) for _, value in listing.csv_columns])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{listing.csv_name}-{stamp}.csv"'
    return response


def back_to_list(request, default: str) -> str:
    """Where a bulk action returns: the list it came from, if that is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
