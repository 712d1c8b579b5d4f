"""The BIS-711 statement by ultimate consignee and purchaser (15 CFR 748.11), prepared for signature."""

from licensing.cases.models import ApplicationParty, LicenceApplication, SupportingDocumentKind
from licensing.filings.retention import years_after

from .blocks import Block, CheckBox, MissingInformation, date_text, item_block, party_block
from .form_748p import first_party, item_lines

Role = ApplicationParty.Role

DISPOSITIONS = (
    "A. Will be used by us in the form in which received, in the country named in block 1, "
    "and will not be reexported or incorporated into another product.",
    "B. Will be processed or incorporated by us into another product.",
    "C. Will be resold by us in the form in which received in the country named in block 1.",
    "D. Will be reexported by us in the form in which received.",
    "E. Other (describe fully).",
)

CONSIGNEE_CERTIFICATION = (
    "We certify that all of the facts contained in this statement are true and correct to the best of our "
    "knowledge and we do not know of any additional facts that are inconsistent with the above statements. "
    "We shall promptly send a supplemental statement to the applicant disclosing any change of facts or "
    "intentions set forth in this statement. Except as authorised by the Export Administration Regulations "
    "(15 CFR Parts 730-774) or by prior written approval of the Bureau of Industry and Security, we will not "
    "reexport, resell, or otherwise dispose of any items approved on a licence supported by this statement."
)

# The item columns of block 4: what the consignee certifies about, without prices' detail.
ITEM_COLUMNS = ("a", "c", "e", "f", "h", "i", "j")

PURCHASER_CERTIFICATION = (
    "We certify that the facts stated in this statement concerning the purchaser are true and correct to the "
    "best of our knowledge."
)


def form_711_context(application: LicenceApplication) -> dict:
    consignee = first_party(application, Role.ULTIMATE_CONSIGNEE)
    if consignee is None:
        raise MissingInformation(
            "ultimate_consignee",
            f"{application.reference} names no ultimate consignee (block 18); the BIS-711 is their statement.",
        )
    purchaser = first_party(application, Role.PURCHASER)
    applicant = first_party(application, Role.APPLICANT)
    currency = application.transaction.currency
    items = [item_block(line, currency=currency) for line in item_lines(application)]
    headings = item_block(None).fields
    signed = [
        document.signed_on
        for document in application.documents.all()
        if document.kind == SupportingDocumentKind.FORM_711 and document.signed_on
    ]
    signed_on = max(signed) if signed else None
    return {
        "consignee": party_block("1", "Ultimate consignee", consignee),
        "disposition": Block("2", "Disposition or use of items by the ultimate consignee"),
        "dispositions": [CheckBox(text, text.startswith("E.")) for text in DISPOSITIONS],
        "end_use": Block("", "Description of use", application.specific_end_use),
        "nature_of_business": Block("3", "Nature of business of the ultimate consignee"),
        "additional": Block("4", "Additional information"),
        "item_headings": [headings[letter].heading for letter in ITEM_COLUMNS],
        "item_rows": [[item.fields[letter] for letter in ITEM_COLUMNS] for item in items],
        "assistance": Block("5", "Assistance in preparing this statement"),
        "consignee_certification": Block("6", "Certification for ultimate consignee", CONSIGNEE_CERTIFICATION),
        "purchaser_certification": Block("7", "Certification for purchaser", PURCHASER_CERTIFICATION),
        "purchaser": party_block("", "Purchaser", purchaser),
        "applicant_use": Block("8", "For use by the applicant"),
        "applicant_fields": [
            Block("", "Applicant", applicant.name if applicant else ""),
            Block("", "Applicant's reference", application.reference),
            Block("", "Application control number", application.snapr_control_number),
            Block("", "Prepared by", application.signer_name),
        ],
        "signature_lines": [Block("", label) for label in ("Signature", "Name", "Title", "Date")],
        # 748.11: the first application relying on the statement within one
        # year of its signature, later ones within four.
        "signed_on": date_text(signed_on),
        "first_use_by": date_text(years_after(signed_on, 1)) if signed_on else "",
        "later_use_by": date_text(years_after(signed_on, 4)) if signed_on else "",
    }
