"""How old a case is against its next deadline, as the queues show it."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from licensing.cases.queues import days_left

register = template.Library()


@register.simple_tag
def ageing(next_due_on: datetime.date | None) -> str:
    """'Due in 5 days (12 Dec)', 'Due today' or '3 days overdue', marked so overdue work stands out."""
    left = days_left(next_due_on, timezone.localdate())
    if left is None or next_due_on is None:
        return mark_safe('<span class="muted">No running clock</span>')
    day = f"{next_due_on:%-d %b}"
    if left < 0:
        return format_html(
            '<span class="badge overdue">{} day{} overdue</span> <span class="muted">({})</span>',
            -left,
            "" if left == -1 else "s",
            day,
        )
    if left == 0:
        return mark_safe('<span class="badge due-soon">Due today</span>')
    css = "badge due-soon" if left <= 7 else "muted"
    return format_html(
        '<span class="{}">Due in {} day{}</span> <span class="muted">({})</span>',
        css,
        left,
        "" if left == 1 else "s",
        day,
    )
