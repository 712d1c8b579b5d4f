"""A licence past its last valid day reads expired everywhere, whether or not the nightly task has run."""

import datetime

from django.utils import timezone

from licensing.cases.models import Decision, Licence


def _lapsed_licence(cases):
    today = timezone.localdate()
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(
        customer,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert licence.status == Licence.Status.ACTIVE, "the nightly task has not run"
    return licence


def test_a_lapsed_licence_stands_expired_though_its_stored_status_is_active(cases, letter_covering_many):
    licence = _lapsed_licence(cases)

    assert licence.standing == Licence.Status.EXPIRED
    assert licence.get_standing_display() == "Expired"
    assert licence.standing_on(licence.valid_until) == Licence.Status.ACTIVE


def test_the_api_lists_and_reads_it_as_expired(cases, read_only, letter_covering_many):
    licence = _lapsed_licence(cases)

    assert read_only.get(f"/api/v1/licences/{licence.number}").json()["status"] == "expired"
    active = read_only.get("/api/v1/licences", {"status": "active"}).json()
    expired = read_only.get("/api/v1/licences", {"status": "expired"}).json()
    assert licence.number not in [row["number"] for row in active["results"]]
    assert licence.number in [row["number"] for row in expired["results"]]


def test_the_licence_page_shows_it_expired(cases, client, officer, letter_covering_many):
    licence = _lapsed_licence(cases)
    client.force_login(officer)

    page = client.get(f"/licences/{licence.pk}/").content.decode()

    assert "Expired</span>" in page
    assert "days left" not in page


def test_the_access_check_does_not_rely_on_it(cases, billing, letter_covering_many):
    licence = _lapsed_licence(cases)

    data = billing.get("/api/v1/access-check", {"customer": licence.customer.external_id, "item": "frontier-1"}).json()

    assert (data["allowed"], data["decision"]) == (False, Decision.LICENCE_REQUIRED)
