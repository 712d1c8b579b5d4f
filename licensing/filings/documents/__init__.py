"""Which documents exist, the template each is laid out with, and what each needs from the application."""

from collections.abc import Callable
from dataclasses import dataclass

from licensing.cases.models import LicenceApplication, SupportingDocumentKind

from ..models import FilingKind
from .blocks import MissingInformation
from .form_711 import form_711_context
from .form_748p import form_748p_a_context, form_748p_b_context, form_748p_context, overflow_end_users, overflow_items
from .letter import letter_context
from .licence_summary import licence_summary_context

__all__ = ["DOCUMENTS", "Document", "MissingInformation", "document_for", "kinds_to_file"]


@dataclass(frozen=True)
class Document:
    kind: str
    # Printed at the top of every page beside the application's reference.
    form_name: str
    title: str
    template: str
    context: Callable[[LicenceApplication], dict]


DOCUMENTS = {
    FilingKind.FORM_748P: Document(
        FilingKind.FORM_748P,
        "FORM BIS-748P",
        "Multipurpose application",
        "filings/pdf/bis_748p.html",
        form_748p_context,
    ),
    FilingKind.FORM_748P_A: Document(
        FilingKind.FORM_748P_A,
        "FORM BIS-748P-A",
        "Item appendix",
        "filings/pdf/bis_748p_a.html",
        form_748p_a_context,
    ),
    FilingKind.FORM_748P_B: Document(
        FilingKind.FORM_748P_B,
        "FORM BIS-748P-B",
        "End-user appendix",
        "filings/pdf/bis_748p_b.html",
        form_748p_b_context,
    ),
    FilingKind.FORM_711: Document(
        FilingKind.FORM_711,
        "FORM BIS-711",
        "Statement by ultimate consignee and purchaser",
        "filings/pdf/bis_711.html",
        form_711_context,
    ),
    FilingKind.LETTER_OF_EXPLANATION: Document(
        FilingKind.LETTER_OF_EXPLANATION,
        "LETTER OF EXPLANATION",
        "Letter of explanation",
        "filings/pdf/letter_of_explanation.html",
        letter_context,
    ),
    FilingKind.LICENCE_SUMMARY: Document(
        FilingKind.LICENCE_SUMMARY,
        "LICENCE SUMMARY",
        "Licence summary",
        "filings/pdf/licence_summary.html",
        licence_summary_context,
    ),
}


def document_for(kind: str) -> Document:
    return DOCUMENTS[FilingKind(kind)]


def kinds_to_file(application: LicenceApplication) -> list[str]:
    """List the documents an application approved for filing goes to BIS with."""
    kinds: list[str] = [FilingKind.FORM_748P]
    if overflow_items(application):
        kinds.append(FilingKind.FORM_748P_A)
    if overflow_end_users(application):
        kinds.append(FilingKind.FORM_748P_B)
    named = set(application.documents_submitted or ())
    if SupportingDocumentKind.FORM_711 in named:
        kinds.append(FilingKind.FORM_711)
    if SupportingDocumentKind.LETTER_OF_EXPLANATION in named:
        kinds.append(FilingKind.LETTER_OF_EXPLANATION)
    return kinds
