"""Applications filled block by block, through the same services the product uses."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing.cases.models import ApplicationItem, ApplicationParty, LicenceApplication, SupportingDocumentKind
from licensing.cases.services import applications, licences
from licensing.filings.models import Filing
from licensing.filings.services.filings import request_filing
from licensing.filings.storage import media_path
from licensing.parties.models import CustomerAddress
from licensing.reference.models import Activity
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, PersonFactory, add_status, approved_determination, letter, transaction

Role = ApplicationParty.Role


def german_customer(officer, reviewer, today=None):
    customer = CustomerFactory(country_of_incorporation_id="DE", legal_name="Universität Rheinland")
    CustomerAddress.objects.create(
        customer=customer, line1="Kaiserstraße 12", city="Bonn", postal_code="53113", country_id="DE"
    )
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today or timezone.localdate())
    return customer


@pytest.fixture
def draft(officer, reviewer, item, today):
    """A draft application with every block of the BIS-748P filled except 15, 17 and 20."""
    letter(item)
    customer = german_customer(officer, reviewer, today)
    record = transaction(customer, item, quantity=Decimal("3"), value=Decimal("750000.00"))
    application = LicenceApplication.objects.get(transaction=record)
    line = application.items.get()
    line.ctp = "1,200,000 TPP"
    line.ccats_number = "G123456"
    line.model_number = "FRONTIER-1"
    line.technical_description = "Weights of a 1.2T-parameter frontier language model"
    line.save()
    return applications.update_application(
        actor=officer,
        application=application,
        contact_name="Olivia Officer",
        contact_phone="+1 415 555 0100",
        contact_fax="+1 415 555 0199",
        documents_submitted=[SupportingDocumentKind.FORM_711, SupportingDocumentKind.TECHNICAL_SPECIFICATIONS],
        documents_on_file=[SupportingDocumentKind.IMPORT_CERTIFICATE],
        special_purpose="University research",
        resubmission_control_number="Z765432",
        replacement_licence_number="D555555",
        items_previously_exported="Frontier-0 under D444444",
        import_certificate="DE 2026-0042",
        specific_end_use="Research on multilingual summarisation at the Bonn campus",
        additional_information="Access is by API from the university's cluster.",
        signer_name="Olivia Officer",
        signer_title="Export Compliance Officer",
    )


def approve(application, officer, reviewer):
    submitted = applications.submit_application_for_review(actor=officer, application=complete_application(application))
    return applications.approve_for_filing(actor=reviewer, application=submitted)


def add_items(application, count):
    for position in range(2, count + 2):
        ApplicationItem.objects.create(
            application=application,
            position=position,
            eccn="4E091",
            model_number=f"FRONTIER-{position}",
            quantity=Decimal(position),
            units="copies",
            unit_price=Decimal("1000.00"),
            total_price=Decimal(1000 * position),
            manufacturer="Meridian Frontier AI, Inc.",
            technical_description=f"Fine-tuned variant number {position}",
        )


def add_end_users(application, count):
    for position in range(2, count + 2):
        ApplicationParty.objects.create(
            application=application,
            role=Role.END_USER,
            position=position,
            name=f"Institut Nummer {position}",
            address=f"Hauptstraße {position}",
            city="Köln",
            postal_code="50667",
            country_id="DE",
            telephone=f"+49 221 555 00{position:02d}",
        )


@pytest.fixture
def deemed_draft(today, officer, reviewer, item):
    """A deemed export: a foreign national in a U.S. lab gets access to the model."""
    letter(item)
    lab = CustomerFactory(country_of_incorporation_id="US", legal_name="Great Lakes University AI Lab")
    approved_determination(lab, preparer=officer, reviewer=reviewer, effective_on=today)
    person = PersonFactory(customer=lab, employer=lab, given_name="Daniel", family_name="Levin")
    add_status(person, "citizenship", "RU", "1990-01-10")
    add_status(person, "citizenship", "IL", "2015-06-01")
    approved_determination(person, preparer=officer, reviewer=reviewer, effective_on=today)
    record = transaction(lab, item, person=person, activity=Activity.DEEMED_EXPORT, country="US")
    application = LicenceApplication.objects.get(transaction=record)
    return applications.update_application(
        actor=officer, application=application, signer_name="Olivia Officer", signer_title="Compliance officer"
    )


@pytest.fixture
def licensed(draft, officer, reviewer):
    application = approve(draft, officer, reviewer)
    application = applications.record_submission(actor=officer, application=application, control_number="Z123456")
    application = applications.record_registration(actor=officer, application=application)
    licences.record_approval(
        actor=officer,
        application=application,
        licence_number="D123456",
        valid_from=datetime.date(2026, 11, 2),
        conditions=["No release to employees of D:5 nationality", "Report each release quarterly"],
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def render(officer, django_capture_on_commit_callbacks):
    """Ask for a document as a user would and run the queued render (Celery runs eagerly without a broker)."""

    def render_document(application, kind, *, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            filing = request_filing(actor=actor or officer, application=application, kind=kind)
        filing.refresh_from_db()
        assert filing.status == Filing.Status.READY, filing.error
        return filing, media_path(filing.file.name)

    return render_document
