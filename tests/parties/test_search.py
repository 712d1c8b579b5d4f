"""Search that finds people: accents and case ignored, words matched across given and family names."""

import pytest
from django.db import connection
from django.urls import reverse

from licensing.parties.models import Customer, Person
from licensing.parties.search import fold, search_customers, search_people
from tests.factories import CustomerFactory, PersonFactory


@pytest.fixture
def people(db):
    university = CustomerFactory(legal_name="Universität Rheinland", external_id="CUST-UNI")
    CustomerFactory(legal_name="Acme Analytics, Inc.", external_id="CUST-ACME")
    PersonFactory(customer=university, given_name="Ananya", family_name="Iyer", external_id="P-ANANYA")
    PersonFactory(customer=university, given_name="Jürgen", family_name="Müller", external_id="P-JURGEN")
    PersonFactory(customer=university, given_name="Ananya", family_name="Rao", external_id="P-RAO")
    return university


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Universität", "universitat"), ("JÜRGEN Müller", "jurgen muller"), ("Zoë Ångström", "zoe angstrom"), (None, "")],
)
def test_fold_drops_accents_and_case(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Ananya Iyer", {"P-ANANYA"}),
        ("iyer ananya", {"P-ANANYA"}),
        ("Ananya", {"P-ANANYA", "P-RAO"}),
        ("Jurgen Muller", {"P-JURGEN"}),
        ("müll", {"P-JURGEN"}),
        ("Ananya Müller", set()),
        ("100%", set()),
    ],
)
def test_people_are_found_by_any_name_parts_whatever_the_accents(people, q, expected):
    found = search_people(Person.objects.all(), q)
    assert set(found.values_list("external_id", flat=True)) == expected


@pytest.mark.parametrize(("q", "expected"), [("Universitat", {"CUST-UNI"}), ("rheinland UNIVERSITÄT", {"CUST-UNI"})])
def test_customers_are_found_whatever_the_accents(people, q, expected):
    assert set(search_customers(Customer.objects.all(), q).values_list("external_id", flat=True)) == expected


def test_the_persons_and_customers_pages_search_this_way(people, officer, client):
    client.force_login(officer)
    persons = client.get(reverse("person_list"), {"q": "Ananya Iyer"}).content.decode()
    assert "P-ANANYA" in persons and "P-RAO" not in persons
    customers = client.get(reverse("customer_list"), {"q": "Universitat"}).content.decode()
    assert "Universität Rheinland" in customers and "Acme" not in customers


def test_the_api_customer_search_ignores_accents(people, billing_client):
    body = billing_client.get("/api/v1/customers", {"search": "universitat"}).json()
    assert [row["external_id"] for row in body["results"]] == ["CUST-UNI"]


@pytest.fixture
def billing_client(db):
    from rest_framework.test import APIClient

    from licensing.accounts.permissions import ClientRole
    from licensing.api.tokens import issue_api_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='b', role=ClientRole.BILLING)[1]}")
    return client


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
def test_postgresql_has_trigram_indexes_on_the_folded_names(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'parties_%%_folded_name_trgm'")
        assert {row[0] for row in cursor.fetchall()} == {
            "parties_person_folded_name_trgm",
            "parties_customer_folded_name_trgm",
        }
