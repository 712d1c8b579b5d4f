"""Forms: bad input gets an inline error naming the field and writes nothing; good input goes through the service."""

import pytest
from django.urls import reverse

from licensing.audit.models import Event
from licensing.cases.models import ApplicationItem, ApplicationParty, Transaction
from licensing.cases.services import applications
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, CustomerAddress, Ownership, Person, StatusRecord

from ..factories import CustomerFactory, PersonFactory, add_status


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def _error(response, text):
    html = response.content.decode()
    assert response.status_code == 400, response.status_code
    assert 'class="field-error"' in html or 'class="form-errors"' in html
    assert text in html, html[html.find("field-error") - 200 : html.find("field-error") + 400]


def test_an_officer_records_a_customer(signed_in):
    response = signed_in.post(
        reverse("customer_create"),
        {
            "external_id": "CUST-FR-1",
            "kind": "entity",
            "legal_name": "Lumière SAS",
            "aliases": "Lumiere\n\nLumière Labs",
            "country_of_incorporation": "FR",
            "headquarters_country": "FR",
        },
    )
    customer = Customer.objects.get(external_id="CUST-FR-1")
    assert response.status_code == 302 and response["Location"] == reverse("customer_detail", args=[customer.pk])
    assert customer.aliases == ["Lumiere", "Lumière Labs"]
    assert Event.objects.for_target(customer).get().verb == "customer.created"


def test_a_customer_with_a_taken_billing_id_or_unknown_parent_is_refused(signed_in):
    CustomerFactory(external_id="CUST-TAKEN")
    response = signed_in.post(
        reverse("customer_create"),
        {"external_id": "CUST-TAKEN", "kind": "entity", "legal_name": "Copy", "ultimate_parent": "NOPE"},
    )
    _error(response, "Billing id: A customer with the billing id CUST-TAKEN exists already.")
    _error(response, "Ultimate parent (billing id): No customer has the id NOPE.")
    assert Customer.objects.count() == 1


def test_a_customer_cannot_be_its_own_parent(signed_in):
    customer = CustomerFactory(external_id="CUST-SELF")
    data = {"kind": "entity", "legal_name": "Self", "ultimate_parent": "CUST-SELF"}
    response = signed_in.post(reverse("customer_edit", args=[customer.pk]), data)
    _error(response, "A customer cannot be its own ultimate parent.")
    customer.refresh_from_db()
    assert customer.ultimate_parent_id is None and customer.legal_name != "Self"


def test_an_address_status_and_owner_are_added_on_the_customer_page(signed_in):
    customer = CustomerFactory()
    page = reverse("customer_detail", args=[customer.pk])
    address = {"kind": "registered", "line1": "1 Rue X", "city": "Paris", "country": "FR"}
    assert signed_in.post(reverse("customer_address_add", args=[customer.pk]), address)["Location"] == page
    status = {"status": "on_hold", "reason": "Ownership unclear"}
    assert signed_in.post(reverse("customer_status", args=[customer.pk]), status)["Location"] == page
    owner = {"owner_name": "Fonds Y", "percentage": "60", "verified_on": "2026-01-05", "source": "Registry"}
    assert signed_in.post(reverse("customer_ownership", args=[customer.pk]), owner)["Location"] == page
    customer.refresh_from_db()
    assert customer.status == "on_hold" and CustomerAddress.objects.get().city == "Paris"
    html = signed_in.get(page).content.decode()
    assert "1 Rue X" in html and "Fonds Y" in html and "Ownership unclear" in html


def test_owners_beyond_100_percent_are_refused_on_the_percentage(signed_in):
    customer = CustomerFactory()
    url = reverse("customer_ownership", args=[customer.pk])
    signed_in.post(url, {"owner_name": "A", "percentage": "70", "verified_on": "2026-01-05", "source": "R"})
    response = signed_in.post(url, {"owner_name": "B", "percentage": "40", "verified_on": "2026-01-05", "source": "R"})
    _error(response, "Percentage: Owners would hold 110.00% in all; at most 100%.")
    assert Ownership.objects.count() == 1


def test_an_address_without_a_city_names_the_city(signed_in):
    customer = CustomerFactory()
    response = signed_in.post(reverse("customer_address_add", args=[customer.pk]), {"kind": "registered", "line1": "x"})
    _error(response, "City: This field is required.")
    assert not CustomerAddress.objects.exists()


def test_a_person_is_recorded_with_citizenships_in_one_go(signed_in):
    lab = CustomerFactory(external_id="CUST-LAB", country_of_incorporation_id="US")
    data = {
        "customer": "CUST-LAB",
        "external_id": "EMP-9",
        "relationship": "customer_user",
        "given_name": "Daniel",
        "family_name": "Levin",
        "location_country": "US",
        "statuses-TOTAL_FORMS": "2",
        "statuses-INITIAL_FORMS": "0",
        "statuses-0-kind": "citizenship",
        "statuses-0-country": "RU",
        "statuses-0-acquired_on": "1990-01-10",
        "statuses-1-kind": "citizenship",
        "statuses-1-country": "IL",
        "statuses-1-acquired_on": "2015-06-01",
    }
    response = signed_in.post(reverse("person_create"), data)
    person = Person.objects.get(external_id="EMP-9")
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert person.customer == lab and person.status_records.count() == 2
    page = signed_in.get(response["Location"]).content.decode()
    # 734.13(b): the most recent citizenship wins; ITAR lists both.
    assert "Foreign person" in page and "Release attributed to</dt><dd>IL" in page and "IL, RU" in page


def test_a_bad_status_row_is_named_and_nothing_is_written(signed_in):
    data = {
        "relationship": "employee",
        "given_name": "Ana",
        "family_name": "Silva",
        "location_country": "US",
        "statuses-TOTAL_FORMS": "2",
        "statuses-INITIAL_FORMS": "0",
        "statuses-0-kind": "citizenship",
        "statuses-0-country": "BR",
        "statuses-0-acquired_on": "2000-01-01",
        "statuses-0-ended_on": "1999-01-01",
        "statuses-1-kind": "protected_individual",
        "statuses-1-country": "FR",
        "statuses-1-acquired_on": "2010-01-01",
    }
    response = signed_in.post(reverse("person_create"), data)
    _error(response, "Ended on: Ends on or before the day it was acquired.")
    _error(response, "Country: Protected-individual status is a U.S. status.")
    assert not Person.objects.exists() and not StatusRecord.objects.exists()


def test_a_customer_user_needs_a_customer(signed_in):
    data = {"relationship": "customer_user", "given_name": "A", "family_name": "B", "location_country": "US"}
    data |= {"statuses-TOTAL_FORMS": "0", "statuses-INITIAL_FORMS": "0"}
    response = signed_in.post(reverse("person_create"), data)
    _error(response, "A customer&#x27;s user belongs to a customer.")
    assert not Person.objects.exists()


def test_a_status_is_added_and_ended_on_the_person_page(signed_in):
    person = PersonFactory()
    url = reverse("person_status_add", args=[person.pk])
    bad = signed_in.post(url, {"status-kind": "citizenship", "status-country": "FR"})
    _error(bad, "Acquired on: This field is required.")
    good = signed_in.post(
        url, {"status-kind": "citizenship", "status-country": "FR", "status-acquired_on": "2001-02-03"}
    )
    assert good.status_code == 302
    record = StatusRecord.objects.get()
    end = reverse("person_status_end", args=[person.pk, record.pk])
    _error(signed_in.post(end, {"ended_on": "2000-01-01"}), "Ends on or before the day it was acquired.")
    assert signed_in.post(end, {"ended_on": "2020-01-01"}).status_code == 302
    record.refresh_from_db()
    assert str(record.ended_on) == "2020-01-01"


def test_evidence_must_be_a_real_document(signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    person = PersonFactory()
    upload = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00 not a pdf at all")
    response = signed_in.post(
        reverse("person_evidence_add", args=[person.pk]), {"evidence-kind": "passport", "evidence-file": upload}
    )
    _error(response, "File: Only PDF, PNG, JPEG or TIFF files are accepted")
    assert not person.evidence.exists()


def test_a_determination_is_drafted_and_edited_from_the_person(signed_in, officer):
    person = PersonFactory()
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "SE", "1988-11-30")
    url = reverse("determination_prepare", args=["person", person.pk])
    assert "attributed to SE" in signed_in.get(url).content.decode()
    response = signed_in.post(url, {"effective_on": "2026-11-01", "notes": "Passport seen"})
    determination = ForeignPersonDetermination.objects.get()
    assert response["Location"] == reverse("determination_detail", args=[determination.pk])
    assert determination.attribution_country_id == "SE" and determination.prepared_by == officer
    edit = reverse("determination_edit", args=[determination.pk])
    _error(signed_in.post(edit, {"effective_on": "2026-11-01", "review_by": "2026-10-01"}), "Review by:")
    assert signed_in.post(edit, {"effective_on": "2026-11-02", "review_by": "2027-06-01"}).status_code == 302
    determination.refresh_from_db()
    assert str(determination.review_by) == "2027-06-01"


def test_a_determination_about_something_else_is_not_found(signed_in):
    assert signed_in.get(reverse("determination_prepare", args=["licence", 1])).status_code == 404


def test_a_person_without_nationality_cannot_be_determined(signed_in):
    person = PersonFactory()
    response = signed_in.post(
        reverse("determination_prepare", args=["person", person.pk]), {"effective_on": "2026-11-01"}
    )
    _error(response, "has no citizenship or permanent residency held on 2026-11-01")
    assert not ForeignPersonDetermination.objects.exists()


def test_a_transaction_form_names_the_unknown_person_and_a_conflicting_replay(signed_in, case):
    lab, record = case["lab"], case["transaction"]
    data = {
        "external_id": "TX-FORM-1",
        "customer": lab.external_id,
        "person": "NOBODY",
        "item": record.item_id,
        "activity": "deemed_export",
        "destination_country": "US",
        "currency": "usd",
    }
    response = signed_in.post(reverse("transaction_create"), data)
    _error(response, f"Person (billing person id): {lab} has no person with the id NOBODY.")
    data["person"] = case["researcher"].external_id
    _error(signed_in.post(reverse("transaction_create"), data), "Currency: Use a three-letter ISO 4217 code.")
    data["currency"] = "USD"
    created = signed_in.post(reverse("transaction_create"), data)
    made = Transaction.objects.get(external_id="TX-FORM-1")
    assert created["Location"] == reverse("transaction_detail", args=[made.pk]) and made.decision == "hold"
    data["destination_country"] = "FR"
    _error(signed_in.post(reverse("transaction_create"), data), "already exists with a different destination_country")


def test_the_application_blocks_items_and_parties_are_edited_on_a_draft(signed_in, case, reviewer):
    application = applications.return_application(actor=reviewer, application=case["application"], reason="Fix")
    edit = reverse("application_edit", args=[application.pk])
    blocks = {
        "application_type": "export",
        "documents_submitted": ["bis_711", "letter_of_explanation"],
        "resubmission_control_number": "12345",
        "specific_end_use": "Research",
        "signer_name": "Olivia Officer",
        "signer_title": "Officer",
    }
    _error(signed_in.post(edit, blocks), "10 Resubmission application control number: An Application Control Number")
    blocks["resubmission_control_number"] = "z654321"
    assert signed_in.post(edit, blocks).status_code == 302
    application.refresh_from_db()
    assert application.resubmission_control_number == "Z654321"
    assert application.documents_submitted == ["bis_711", "letter_of_explanation"]

    item_url = reverse("application_item_add", args=[application.pk])
    _error(signed_in.post(item_url, {"item-eccn": "", "item-quantity": "-1"}), "22a ECCN: This field is required.")
    item = {"item-eccn": "4E091", "item-quantity": "3", "item-unit_price": "10.50", "item-model_number": "F-2"}
    assert signed_in.post(item_url, item).status_code == 302
    line = ApplicationItem.objects.get(application=application, model_number="F-2")
    assert line.position == 2 and str(line.total_price) == "31.50"

    party_url = reverse("application_party_add", args=[application.pk])
    duplicate = {"party-role": "purchaser", "party-name": "Another", "party-country": "DE"}
    _error(signed_in.post(party_url, duplicate), "Block: Block 16 Purchaser already names")
    extra = {"party-role": "end_user", "party-name": "Second lab", "party-country": "DE"}
    assert signed_in.post(party_url, extra).status_code == 302
    assert ApplicationParty.objects.filter(application=application, role="end_user").count() == 2
    remove = reverse("application_item_remove", args=[application.pk, line.pk])
    assert signed_in.post(remove).status_code == 302 and not ApplicationItem.objects.filter(pk=line.pk).exists()


def test_an_application_in_review_cannot_be_edited(signed_in, case):
    application = case["application"]
    response = signed_in.post(
        reverse("application_item_add", args=[application.pk]), {"item-eccn": "4E091", "item-quantity": "1"}
    )
    _error(response, "only a draft can be edited")
    assert application.items.count() == 1
