"""The dashboard and every list cost the same number of queries with 5 rows as with 50 (or 100,000)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.cases.models import Transaction

from .rows import add_rows

PAGES = (
    "home",
    "customer_list",
    "person_list",
    "determination_list",
    "determination_task_list",
    "transaction_list",
    "application_list",
    "licence_list",
)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_a_page_costs_the_same_queries_for_5_rows_as_for_50(client, reviewer, officer, item, name):
    client.force_login(reviewer)
    url = reverse(name)
    add_rows(5, officer=officer, item=item)
    client.get(url)  # warm the per-process caches (content types, sessions)
    few = _queries(client, url)
    add_rows(45, officer=officer, item=item)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries with 5 rows, {many} with 50"


def test_a_filtered_sorted_page_costs_the_same_as_a_plain_one(client, reviewer, officer, item):
    client.force_login(reviewer)
    add_rows(5, officer=officer, item=item)
    url = reverse("transaction_list") + "?q=BTX&decision=hold&sort=-value&page=1"
    client.get(url)
    few = _queries(client, url)
    add_rows(60, officer=officer, item=item)
    assert _queries(client, url) == few


def test_the_dashboard_shows_the_rows_it_counted(client, reviewer, officer, item):
    add_rows(20, officer=officer, item=item)
    client.force_login(reviewer)
    page = client.get(reverse("home")).content.decode()
    # Five of twenty bulk transactions are held; the determinations were all prepared by officer.
    assert "<strong>5</strong> holds blocking billing" in page
    assert "Bulk Customer" in page and "prepared by officer" in page


@pytest.mark.slow
def test_the_transaction_list_makes_the_same_queries_with_100000_rows(client, reviewer, officer, item):
    client.force_login(reviewer)
    add_rows(5, officer=officer, item=item)
    url = reverse("transaction_list") + "?sort=-requested&page=3"
    client.get(url)
    few = _queries(client, url)
    template = Transaction.objects.first()
    Transaction.objects.bulk_create(
        (
            Transaction(
                external_id=f"MASS-{n:07d}",
                customer_id=template.customer_id,
                person_id=template.person_id,
                item=item,
                activity=template.activity,
                destination_country_id="US",
                value=template.value,
                requested_at=template.requested_at,
                decision=template.decision,
                decision_reasons=["Bulk row."],
                decided_at=template.decided_at,
            )
            for n in range(100_000)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_transaction")
    for query in ("?sort=-requested&page=3", "?q=MASS-00099&sort=decision", "?decision=hold&sort=value&page=200"):
        # Speed is bench's to measure; here the page must not grow queries with the table.
        assert _queries(client, reverse("transaction_list") + query) == few, query
