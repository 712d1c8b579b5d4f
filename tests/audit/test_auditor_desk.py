"""The auditor's desk: the event log filtered and readable, one time zone, a safe CSV, and the chain verified."""

import csv
import io

import pytest
from django.urls import reverse

from licensing.audit.models import Event
from licensing.audit.sealing import seal_events
from licensing.audit.services import record_event
from licensing.cases.models import LicenceApplication
from licensing.cases.services import applications
from tests.factories import CustomerFactory, approved_determination, letter, transaction


@pytest.fixture
def log(officer, reviewer, item, today):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    application = LicenceApplication.objects.get(transaction=transaction(customer, item))
    applications.update_application(actor=officer, application=application, signer_name="Olivia Officer")
    record_event(
        actor=officer,
        verb="customer.updated",
        target=customer,
        after={"legal_name": "=HYPERLINK(1)"},
        reason="=SUM(1+1)",
    )
    seal_events()
    return {"customer": customer, "application": application}


def test_the_desk_shows_subjects_by_name_verbs_by_label_and_changes_in_words(log, auditor, client, settings):
    client.force_login(auditor)
    page = client.get(reverse("audit_desk"), {"subject": log["application"].reference})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Draft changed" in text and "application.updated" in text  # the label, the verb as its title
    assert "25 signature: name changed from (blank) to Olivia Officer" in text
    assert reverse("application_detail", args=[log["application"].pk]) in text
    assert f"Times are in {settings.TIME_ZONE}" in text
    assert "=HYPERLINK" not in text  # the customer's event is filtered out


@pytest.mark.parametrize(
    ("query", "verbs"),
    [
        ({"action": "customer.updated"}, {"customer.updated"}),
        ({"actor": "reviewer"}, {"determination.approve"}),
        ({"subject": "Universität"}, None),
    ],
)
def test_the_desk_filters_by_action_actor_and_subject(log, auditor, client, query, verbs):
    client.force_login(auditor)
    response = client.get(reverse("audit_desk"), {**query, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows
    if verbs is not None:
        assert {row["verb"] for row in rows} == verbs
    else:
        assert all("Universität" in row["record"] for row in rows)


def test_a_day_range_ending_before_it_starts_is_refused_naming_the_field(log, auditor, client, today):
    client.force_login(auditor)
    response = client.get(reverse("audit_desk"), {"since": today.isoformat(), "until": "2020-01-01"})
    assert response.status_code == 400
    assert "The last day cannot be before the first." in response.content.decode()


def test_days_are_the_time_zones_days(log, auditor, client, today):
    client.force_login(auditor)
    assert (
        "No event matches" not in client.get(reverse("audit_desk"), {"since": today, "until": today}).content.decode()
    )
    tomorrow = today.fromordinal(today.toordinal() + 1)
    assert "No event matches" in client.get(reverse("audit_desk"), {"since": tomorrow}).content.decode()


def test_the_csv_cannot_run_a_formula(log, auditor, client):
    client.force_login(auditor)
    response = client.get(reverse("audit_desk"), {"action": "customer.updated", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["changes"], row["reason"]) for row in rows] == [("legal name: =HYPERLINK(1)", "'=SUM(1+1)")]
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_verifying_the_chain_shows_the_result_and_the_head_hash(log, auditor, client):
    client.force_login(auditor)
    head = Event.objects.sealed().order_by("-sequence").first()
    page = client.post(reverse("audit_verify")).content.decode()
    assert "The chain verifies" in page
    assert head.hash in page
    assert f"{Event.objects.sealed().count()}</dd>" in page


def test_a_tampered_event_shows_the_chain_broken(log, auditor, client):
    from django.db import connection

    event = Event.objects.sealed().order_by("sequence")[1]
    with connection.cursor() as cursor:
        # Around the application, as someone with database access would.
        cursor.execute("UPDATE audit_event SET reason = 'rewritten' WHERE id = %s", [event.pk])
    client.force_login(auditor)
    page = client.post(reverse("audit_verify")).content.decode()
    assert "The chain is broken" in page
    assert f"sequence {event.sequence}" in page


def test_someone_signed_out_cannot_read_the_log(client, db):
    response = client.get(reverse("audit_desk"))
    assert response.status_code == 302
