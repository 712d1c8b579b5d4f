"""Complete a test application's blocks the way an officer would before submitting it for review.

The drafts the decision opens are pre-filled from what billing sent, which
leaves blanks the pre-filing check refuses (addresses, quantities, papers).
Tests about what happens after submission fill them here, as rows, so their
event histories stay those of the behaviour they test.
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from licensing.accounts.models import User
from licensing.cases.models import (
    ApplicationItem,
    ApplicationParty,
    ConsigneeStatement,
    LicenceApplication,
    SupportingDocument,
    SupportingDocumentKind,
)
from licensing.cases.prefiling import blocks
from licensing.cases.prefiling.documents import GENERATED_KINDS
from licensing.parties.models import EvidenceDocument
from licensing.reference.models import Activity

Role = ApplicationParty.Role


def complete_application(
    application: LicenceApplication, *, officer: User | None = None, upload: bool = True
) -> LicenceApplication:
    """Fill what the pre-filing check asks for and the draft left blank; returns the application read again.

    Documents block 6 says are submitted are uploaded (a signed BIS-711 recorded), or with `upload=False`
    unticked, for tests whose clocks or packages must hold only what they set up themselves.
    """
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
    uploader = officer or application.assigned_officer or User.objects.order_by("pk").first()
    assert uploader is not None, "an officer uploads the papers"
    if upload:
        _upload_ticked_documents(application, uploader)
    else:
        kept = [kind for kind in application.documents_submitted if kind in GENERATED_KINDS]
        LicenceApplication.objects.filter(pk=application.pk).update(documents_submitted=kept)
    person = application.person or record.person
    if record.activity in Activity.deemed() and person is not None:
        for kind in (EvidenceDocument.Kind.PASSPORT, EvidenceDocument.Kind.VISA, EvidenceDocument.Kind.RESUME):
            if not person.evidence.filter(kind=kind).exists():
                document = EvidenceDocument(
                    person=person, kind=kind, token=f"t{kind}", original_name=f"{kind}.pdf", uploaded_by=uploader
                )
                document.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    application.refresh_from_db()
    return application


def _upload_ticked_documents(application: LicenceApplication, uploader: User) -> None:
    """Upload each document block 6 says is submitted, and record a signed BIS-711 if it is ticked."""
    uploaded = set(application.documents.values_list("kind", flat=True))
    for kind in application.documents_submitted:
        if kind in GENERATED_KINDS or kind in uploaded:
            continue
        document = SupportingDocument(
            application=application,
            kind=kind,
            token=f"ready{kind}"[:32],
            original_name=f"{kind}.pdf",
            signed_on=timezone.localdate() if kind == SupportingDocumentKind.FORM_711 else None,
            uploaded_by=uploader,
        )
        document.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4 signed\n"), save=True)
        consignee = application.parties.filter(role=Role.ULTIMATE_CONSIGNEE).first()
        if kind == SupportingDocumentKind.FORM_711 and consignee is not None:
            ConsigneeStatement.objects.create(
                application=application,
                consignee_name=consignee.name,
                consignee_country_id=consignee.country_id,
                consignee_customer=consignee.customer,
                signer_name="Consignee Signatory",
                signer_title="Managing director",
                signed_on=timezone.localdate(),
                document=document,
            )
