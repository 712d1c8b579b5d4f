"""The auditor's desk: the event log, filtered and readable, exported safely, and its chain verified."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from licensing.accounts.permissions import Action
from licensing.audit.models import Event

from .. import auditdesk
from ..access import requires
from ..forms.audit import EventFilterForm

PAGE_SIZE = 50
CSV_COLUMNS = (
    "sequence",
    "time",
    "actor",
    "action",
    "verb",
    "record kind",
    "record",
    "changes",
    "reason",
    "hash",
)


def _events(form: EventFilterForm):
    events = Event.objects.select_related("target_type").order_by("-sequence")
    return form.apply(events) if form.is_valid() else events.none()


def _desk(request, *, report=None, status=200):
    form = EventFilterForm(request.GET)
    events = _events(form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit/desk.html",
        {
            "form": form,
            "page": page,
            "rows": [auditdesk.row(event) for event in page.object_list],
            "time_zone": auditdesk.time_zone_name(),
            "report": report,
            "query": _without_page(request),
        },
        status=status if form.is_valid() else 400,
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


@requires(Action.VIEW_AUDIT_LOG)
def audit_desk(request):
    """Newest first; filter by subject, kind of record, actor, action and day."""
    if request.GET.get("format") == "csv":
        return _csv(EventFilterForm(request.GET))
    return _desk(request)


@require_POST
@requires(Action.VIEW_AUDIT_LOG)
def audit_verify(request):
    """Walk the whole hash chain now and show the result beside the log."""
    return _desk(request, report=auditdesk.verify())


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula would run as one when the file is opened in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r", "|") else text


class _Echo:
    def write(self, value):
        return value


def _csv(form: EventFilterForm) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    events = _events(form)

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            shown = auditdesk.row(event)
            values = (
                event.sequence,
                shown.when,
                event.actor_label,
                shown.action,
                event.verb,
                shown.subject_kind,
                shown.subject,
                "; ".join(shown.changes),
                event.reason,
                event.hash,
            )
            yield writer.writerow([spreadsheet_safe(value) for value in values])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-log-{stamp}.csv"'
    return response
