"""The BIS-748P multipurpose application and its appendices, filled from an application."""

import datetime

from django.utils import timezone

from licensing.cases.models import ApplicationParty, ApplicationType, LicenceApplication, SupportingDocumentKind

from .blocks import (
    Block,
    CheckBox,
    MissingInformation,
    checkboxes,
    date_text,
    item_block,
    money,
    party_block,
)

Role = ApplicationParty.Role

# The form itself holds one item (block 22) and one end user (block 19);
# the rest go on the BIS-748P-A and BIS-748P-B.
FORM_ITEMS = 1
FORM_END_USERS = 1

# Block 6 and 7 check boxes, worded short as on the printed form.
DOCUMENT_BOXES = (
    (SupportingDocumentKind.FORM_748P_A, "BIS-748P-A"),
    (SupportingDocumentKind.FORM_748P_B, "BIS-748P-B"),
    (SupportingDocumentKind.FORM_711, "BIS-711"),
    (SupportingDocumentKind.IMPORT_CERTIFICATE, "Import/end-user certificate"),
    (SupportingDocumentKind.TECHNICAL_SPECIFICATIONS, "Technical specifications"),
    (SupportingDocumentKind.LETTER_OF_EXPLANATION, "Letter of explanation"),
    (SupportingDocumentKind.FOREIGN_AVAILABILITY, "Foreign availability"),
    (SupportingDocumentKind.OTHER, "Other"),
)

# Blocks 14 to 20, in the order the form prints them.
PARTY_BLOCKS = (
    ("14", "Applicant", Role.APPLICANT),
    ("15", "Other party authorised to receive licence", Role.OTHER_PARTY),
    ("16", "Purchaser", Role.PURCHASER),
    ("17", "Intermediate consignee", Role.INTERMEDIATE_CONSIGNEE),
    ("18", "Ultimate consignee", Role.ULTIMATE_CONSIGNEE),
    ("19", "End user", Role.END_USER),
    ("20", "Original ultimate consignee", Role.ORIGINAL_ULTIMATE_CONSIGNEE),
)


def parties_by_role(application: LicenceApplication) -> dict[str, list[ApplicationParty]]:
    grouped: dict[str, list[ApplicationParty]] = {}
    for party in sorted(application.parties.all(), key=lambda p: (p.position, p.pk)):
        grouped.setdefault(party.role, []).append(party)
    return grouped


def first_party(application: LicenceApplication, role: str) -> ApplicationParty | None:
    found = parties_by_role(application).get(role)
    return found[0] if found else None


def item_lines(application: LicenceApplication):
    return sorted(application.items.all(), key=lambda line: (line.position, line.pk))


def overflow_items(application: LicenceApplication):
    return item_lines(application)[FORM_ITEMS:]


def overflow_end_users(application: LicenceApplication):
    return parties_by_role(application).get(Role.END_USER, [])[FORM_END_USERS:]


def documents_submitted(application: LicenceApplication) -> list[str]:
    """Block 6 as filed: what the application names, plus any appendix its size calls for."""
    kinds = list(application.documents_submitted or [])
    if overflow_items(application) and SupportingDocumentKind.FORM_748P_A not in kinds:
        kinds.append(SupportingDocumentKind.FORM_748P_A)
    if overflow_end_users(application) and SupportingDocumentKind.FORM_748P_B not in kinds:
        kinds.append(SupportingDocumentKind.FORM_748P_B)
    return kinds


def _continuation(application) -> str:
    notes = []
    items, end_users = overflow_items(application), overflow_end_users(application)
    if items:
        first, last = FORM_ITEMS + 1, FORM_ITEMS + len(items)
        notes.append(
            f"Items {first} to {last} are on the BIS-748P-A." if last > first else f"Item {first} is on the BIS-748P-A."
        )
    if end_users:
        first, last = FORM_END_USERS + 1, FORM_END_USERS + len(end_users)
        notes.append(
            f"End users {first} to {last} are on the BIS-748P-B."
            if last > first
            else f"End user {first} is on the BIS-748P-B."
        )
    return " ".join(notes)


def destination_country(application: LicenceApplication):
    """The country of ultimate destination the application names; on a row older than the field, the transaction's."""
    if application.country_id:
        return application.country
    record = application.transaction
    return record.attributed_country or record.destination_country


def addresses_on(application: LicenceApplication) -> datetime.date:
    """The day whose addresses the form gives: the filing day once filed, so a copy made later files the same."""
    return application.submitted_on or timezone.localdate()


def form_748p_context(application: LicenceApplication) -> dict:
    grouped = parties_by_role(application)
    currency = application.transaction.currency
    lines = item_lines(application)
    additional = "\n".join(filter(None, [application.additional_information, _continuation(application)]))
    blocks = {
        "contact": Block("1", "Contact person", application.contact_name),
        "telephone": Block("2", "Telephone", application.contact_phone),
        "fax": Block("3", "Fax", application.contact_fax),
        "date": Block("4", "Date of application", date_text(application.application_date)),
        "type": Block("5", "Type of application"),
        "documents_submitted": Block("6", "Documents submitted with application"),
        "documents_on_file": Block("7", "Documents on file with applicant"),
        "special_comprehensive": Block("8", "Special comprehensive licence"),
        "special_purpose": Block("9", "Special purpose", application.special_purpose),
        "resubmission": Block("10", "Resubmission application control number", application.resubmission_control_number),
        "replacement": Block("11", "Replacement licence number", application.replacement_licence_number),
        "previously_exported": Block("12", "Items previously exported", application.items_previously_exported),
        "import_certificate": Block("13", "Import/end-user certificate", application.import_certificate),
        "destination": Block("", "Country of ultimate destination", _country_text(destination_country(application))),
        "end_use": Block("21", "Specific end use", application.specific_end_use),
        "item": Block("22", "Item"),
        "total_value": Block(
            "23", "Total application value", money(application.total_value, currency) if lines else ""
        ),
        "additional": Block("24", "Additional information", additional),
        "signature": Block("25", "Signature"),
    }
    on = addresses_on(application)
    parties = {
        f"p{number}": party_block(number, label, next(iter(grouped.get(role) or ()), None), on=on)
        for number, label, role in PARTY_BLOCKS
    }
    return {
        "acn": Block("", "Application control number", application.snapr_control_number),
        "blocks": blocks,
        "parties": parties,
        "application_types": checkboxes(ApplicationType.choices, [application.application_type]),
        "documents_submitted": checkboxes(DOCUMENT_BOXES, documents_submitted(application)),
        "documents_on_file": checkboxes(DOCUMENT_BOXES, application.documents_on_file),
        "special_comprehensive": [
            CheckBox("Yes", application.special_comprehensive_licence),
            CheckBox("No", not application.special_comprehensive_licence),
        ],
        "item": item_block(lines[0] if lines else None, currency=currency),
        "item_count": len(lines),
        "signer": {
            "name": Block("", "Name", application.signer_name),
            "title": Block("", "Title", application.signer_title),
            "signature": Block("", "Signature", ""),
            "date": Block("", "Date", date_text(application.application_date)),
        },
    }


def _country_text(country) -> str:
    return f"{country.name} ({country.code})" if country is not None else ""


def _appendix_header(application) -> dict:
    applicant = first_party(application, Role.APPLICANT)
    return {
        "applicant": Block("", "Applicant", applicant.name if applicant else ""),
        "control_number": Block("", "Application control number", application.snapr_control_number),
        "reference": Block("", "Applicant's reference", application.reference),
    }


def form_748p_a_context(application: LicenceApplication) -> dict:
    further = overflow_items(application)
    if not further:
        raise MissingInformation(
            "items",
            f"{application.reference} has {len(item_lines(application))} item(s); the BIS-748P holds "
            f"{FORM_ITEMS}, so there is nothing for a BIS-748P-A.",
        )
    currency = application.transaction.currency
    return {
        "header": _appendix_header(application),
        "items": [item_block(line, currency=currency) for line in further],
        "item_count": len(item_lines(application)),
    }


def form_748p_b_context(application: LicenceApplication) -> dict:
    further = overflow_end_users(application)
    if not further:
        raise MissingInformation(
            "end_users",
            f"{application.reference} has {len(parties_by_role(application).get(Role.END_USER, []))} end user(s); "
            f"the BIS-748P holds {FORM_END_USERS}, so there is nothing for a BIS-748P-B.",
        )
    total = FORM_END_USERS + len(further)
    end_users = [
        party_block("19", f"End user {FORM_END_USERS + i} of {total}", party, on=addresses_on(application))
        for i, party in enumerate(further, start=1)
    ]
    return {
        "header": _appendix_header(application),
        "end_users": end_users,
        "end_use": Block("21", "Specific end use", application.specific_end_use),
        "end_user_count": total,
    }
