"""Block 6: every document said to be submitted is there, and a BIS-711 relied on is still in its window."""

from licensing.reference.calendar import add_years

from ..models import ApplicationParty, SupportingDocumentKind
from .draft import Draft
from .problem import Problem

Kind = SupportingDocumentKind
# Made by the product from the application's own blocks when it is filed (licensing.filings).
GENERATED_KINDS = frozenset({Kind.FORM_748P_A, Kind.FORM_748P_B, Kind.LETTER_OF_EXPLANATION})
# 748.11: the first application relying on a statement is filed within one year of its signature, later ones four.
FIRST_USE_YEARS = 1
LATER_USE_YEARS = 4


def ticked_documents_uploaded(draft: Draft) -> Problem | None:
    ticked = set(draft.application.documents_submitted) - GENERATED_KINDS - {Kind.FORM_711}
    missing = sorted(ticked - draft.uploaded_kinds)
    if not missing:
        return None
    labels = "; ".join(str(Kind(kind).label) for kind in missing)
    return Problem(
        "6 Documents submitted",
        "documents_submitted",
        f"Block 6 says these are submitted but none is uploaded: {labels}.",
        "Upload each document, or untick it in block 6.",
    )


def consignee_statement_recorded(draft: Draft) -> Problem | None:
    if Kind.FORM_711 not in draft.application.documents_submitted or draft.statements:
        return None
    return Problem(
        "6 Documents submitted: BIS-711",
        "documents_submitted",
        "Block 6 says a BIS-711 is submitted but no signed statement is recorded.",
        "Record the BIS-711 the ultimate consignee and purchaser signed (Case papers), or untick it in block 6.",
    )


def consignee_statement_in_window(draft: Draft) -> Problem | None:
    if Kind.FORM_711 not in draft.application.documents_submitted or not draft.statements:
        return None
    for statement in draft.statements:
        later = statement.signed_on in draft.statements_used_before
        due = add_years(statement.signed_on, LATER_USE_YEARS if later else FIRST_USE_YEARS)
        if draft.today <= due:
            return None
    newest = draft.statements[-1]
    later = newest.signed_on in draft.statements_used_before
    return Problem(
        "6 Documents submitted: BIS-711",
        "consignee_statements",
        f"The BIS-711 signed on {newest.signed_on} supports applications filed until "
        f"{add_years(newest.signed_on, LATER_USE_YEARS if later else FIRST_USE_YEARS)} "
        f"({'a later' if later else 'the first'} application relying on it, 15 CFR 748.11); it is too old now.",
        "Obtain a newly signed BIS-711 from the ultimate consignee and purchaser and record it.",
    )


def consignee_statement_names_consignee(draft: Draft) -> Problem | None:
    if Kind.FORM_711 not in draft.application.documents_submitted or not draft.statements:
        return None
    consignees = draft.parties_in(ApplicationParty.Role.ULTIMATE_CONSIGNEE)
    if not consignees:
        return None
    named = _plain(consignees[0].name)
    if any(_plain(statement.consignee_name) == named for statement in draft.statements):
        return None
    signed = ", ".join(sorted({s.consignee_name for s in draft.statements}))
    return Problem(
        "6 Documents submitted: BIS-711",
        "consignee_statements",
        f"The BIS-711 was signed by {signed}, but block 18 names {consignees[0].name}.",
        "Correct block 18, or record a BIS-711 signed by the ultimate consignee it names.",
    )


def _plain(name: str) -> str:
    return " ".join(name.casefold().split())
