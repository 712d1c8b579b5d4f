"""The dashboard's charts: applications opened and closed per week, and open cases against their next deadline."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from licensing.cases.models import LicenceApplication
from licensing.cases.services.applications import record_bis_action
from licensing.deadlines.models import Deadline, Kind
from licensing.web import dashboard
from tests.factories import CustomerFactory, approved_determination, letter, transaction


def _due(application, days, today, kind=Kind.BIS_ACTION):
    return Deadline.objects.create(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(application),
        subject_id=application.pk,
        subject_repr=str(application),
        application=application,
        starts_on=today,
        due_on=today + datetime.timedelta(days=days),
    )


def _opened_weeks_ago(application, weeks):
    created = timezone.now() - datetime.timedelta(weeks=weeks)
    LicenceApplication.objects.filter(pk=application.pk).update(created_at=created)


@pytest.fixture
def cases(officer, reviewer, item, today):
    """Five drafts: opened this week (three), two weeks ago, and half a year ago; none with a clock yet."""
    letter(item)
    made = []
    for name in ("Alpha GmbH", "Beta SA", "Gamma KK", "Delta AB", "Epsilon Oy"):
        customer = CustomerFactory(legal_name=name)
        approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
        made.append(LicenceApplication.objects.get(transaction=transaction(customer, item)))
    Deadline.objects.filter(application__in=made).delete()
    _opened_weeks_ago(made[3], 2)
    _opened_weeks_ago(made[4], 26)
    return made


def test_applications_opened_and_closed_are_counted_by_week(cases, reviewer, today):
    # Two closed this week: one withdrawn, one withdrawn then nothing else can move it.
    record_bis_action(actor=reviewer, application=cases[0], action="withdraw", reason="Customer cancelled")
    record_bis_action(actor=reviewer, application=cases[1], action="withdraw", reason="Duplicate")
    chart = dashboard.cases_opened_and_closed(today)
    weeks = [week for week, _, _ in chart["rows"]]
    assert len(weeks) == dashboard.CHART_WEEKS and weeks[-1] == today - datetime.timedelta(days=today.weekday())
    by_week = {week: (opened, closed) for week, opened, closed in chart["rows"]}
    assert by_week[weeks[-1]] == (3, 2)
    assert by_week[weeks[-3]] == (1, 0)
    # The one opened half a year ago is outside the chart's weeks.
    assert (chart["opened"], chart["closed"]) == (4, 2)
    assert sum(1 for bar in chart["chart"].bars if bar.height > 0) == 3


def test_open_cases_are_aged_against_their_next_running_deadline(cases, reviewer, today):
    alpha, beta, gamma, delta, epsilon = cases
    _due(alpha, -3, today)
    _due(alpha, 20, today, Kind.RESOLUTION)  # the soonest clock counts: alpha is overdue
    _due(beta, 0, today)
    _due(gamma, 12, today)
    paused = _due(delta, -5, today)
    Deadline.objects.filter(pk=paused.pk).update(paused_since=today)  # a stopped clock is not running
    _due(epsilon, 45, today)
    closed = cases[4]
    record_bis_action(actor=reviewer, application=closed, action="withdraw", reason="Cancelled")
    ageing = dashboard.open_case_ageing(today)
    assert [(key, count) for key, _, count in ageing["rows"]] == [
        ("overdue", 1),
        ("week", 1),
        ("month", 1),
        ("later", 0),
        ("none", 1),
    ]
    assert ageing["total"] == 4
    assert "Overdue: 1; Due within 7 days: 1" in ageing["description"]


def test_the_charts_cost_one_query_each_whatever_the_number_of_cases(cases, today, django_assert_num_queries):
    with django_assert_num_queries(2):
        dashboard.cases_opened_and_closed(today)
    with django_assert_num_queries(1):
        dashboard.open_case_ageing(today)


def test_the_dashboard_draws_both_charts_with_their_numbers(client, cases, officer, reviewer, today):
    record_bis_action(actor=reviewer, application=cases[0], action="withdraw", reason="Customer cancelled")
    _due(cases[1], -1, today)
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    assert '<svg class="bar-chart" id="chart-cases"' in html and '<svg class="bar-chart" id="chart-ageing"' in html
    assert '<title id="chart-cases-title">Licence applications opened and closed per week</title>' in html
    monday = today - datetime.timedelta(days=today.weekday())
    assert f"<title>Week of {monday:%-d %b}: 3 opened</title>" in html
    assert f"<title>Week of {monday:%-d %b}: 1 closed</title>" in html
    assert "<title>Overdue: 1</title>" in html and "<title>No running clock: 3</title>" in html
    table = re.search(r'id="case-ageing".*?</figure>', html, re.S).group(0)
    assert re.search(r"<th scope=\"row\">Overdue</th><td>1</td>", table)
    # The averages chart is gone.
    assert "Days from request to final decision" not in html


def test_the_charts_say_zero_rather_than_nothing_on_an_empty_book(client, officer, today):
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    assert "In the 12 weeks from" in html and "0 opened and 0 closed" in html
    assert "<title>Overdue: 0</title>" in html
