"""Complete a test application's blocks the way an officer would before submitting it for review.

The drafts the decision opens are pre-filled from what billing sent, which
leaves blanks the pre-filing check refuses (addresses, quantities, papers).
Tests about what happens after submission fill them here, as rows, so their
event histories stay those of the behaviour they test.
"""

from decimal import Decimal

from django.core.files.base import ContentFile

from licensing.accounts.models import Role as UserRole
from licensing.accounts.models import User
from licensing.cases.models import ApplicationItem, ApplicationParty, LicenceApplication, SupportingDocumentKind
from licensing.cases.prefiling import blocks
from licensing.cases.prefiling.documents import GENERATED_KINDS
from licensing.parties.models import EvidenceDocument
from licensing.reference.models import Activity

Role = ApplicationParty.Role


def complete_application(application: LicenceApplication, *, officer: User | None = None) -> LicenceApplication:
    """Fill what the pre-filing check asks for and the draft left blank; returns the application read again."""
    parties = ApplicationParty.objects.filter(application=application)
    parties.filter(address="").update(address="1 Example Street")
    parties.filter(city="").update(city="Example City")
    record = application.transaction
    if (
        application.application_type in blocks.ORIGINAL_CONSIGNEE_TYPES
        and record.activity not in Activity.deemed()
        and not parties.filter(role=Role.ORIGINAL_ULTIMATE_CONSIGNEE).exists()
    ):
        ApplicationParty.objects.create(
            application=application,
            role=Role.ORIGINAL_ULTIMATE_CONSIGNEE,
            name=application.customer.legal_name,
            address="1 Example Street",
            city="Example City",
            country_id=record.destination_country_id,
        )
    ApplicationItem.objects.filter(application=application, quantity__isnull=True).update(quantity=Decimal(1))
    ApplicationItem.objects.filter(application=application, units="").update(units="copies")
    uploaded = set(application.documents.values_list("kind", flat=True))
    if application.consignee_statements.exists():
        uploaded.add(SupportingDocumentKind.FORM_711)
    kept = [kind for kind in application.documents_submitted if kind in GENERATED_KINDS or kind in uploaded]
    LicenceApplication.objects.filter(pk=application.pk).update(documents_submitted=kept)
    person = application.person or record.person
    if record.activity in Activity.deemed() and person is not None:
        uploader = officer or application.assigned_officer or User.objects.filter(role=UserRole.OFFICER).first()
        for kind in (EvidenceDocument.Kind.PASSPORT, EvidenceDocument.Kind.VISA, EvidenceDocument.Kind.RESUME):
            if uploader is not None and not person.evidence.filter(kind=kind).exists():
                document = EvidenceDocument(
                    person=person, kind=kind, token=f"t{kind}", original_name=f"{kind}.pdf", uploaded_by=uploader
                )
                document.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    application.refresh_from_db()
    return application
