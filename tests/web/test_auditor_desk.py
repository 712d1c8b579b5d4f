"""The auditor's desk reads every event's changes, whatever fields its payload names."""

from django.test import Client

from licensing.audit.services import record_event
from licensing.audit.verbs import Verb
from licensing.web import auditdesk

from ..factories import CustomerFactory


def test_a_change_naming_a_reverse_relation_reads_by_its_name(officer, auditor):
    customer = CustomerFactory(legal_name="Mendel Robotics")
    # "addresses" is the customer's reverse relation to its addresses: a field without a verbose name.
    event = record_event(
        actor=officer,
        verb=Verb.CUSTOMER_UPDATED,
        target=customer,
        before={"legal_name": "Mendel Robotik", "addresses": []},
        after={"legal_name": "Mendel Robotics", "addresses": ["1 Main St"]},
    )

    assert auditdesk.changes(event) == [
        "legal name changed from Mendel Robotik to Mendel Robotics",
        "addresses changed from (blank) to 1 Main St",
    ]

    client = Client()
    client.force_login(auditor)
    page = client.get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mendel Robotics" in html
    assert "addresses" in html
