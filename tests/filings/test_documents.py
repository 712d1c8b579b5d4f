"""Each document rendered for real: page 1 as a PNG, the text as pdftotext reads it."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from licensing.cases.models import SupportingDocumentKind
from licensing.filings.services.filings import request_filing

from .conftest import add_end_users, add_items
from .pdf_reading import first_page_png, heading, page_size_pixels, page_texts, pdf_text, shaded_share, words

# The 25 numbered blocks of the BIS-748P, as the form prints them.
BLOCKS_748P = [
    "1 Contact person",
    "2 Telephone",
    "3 Fax",
    "4 Date of application",
    "5 Type of application",
    "6 Documents submitted with application",
    "7 Documents on file with applicant",
    "8 Special comprehensive licence",
    "9 Special purpose",
    "10 Resubmission application control number",
    "11 Replacement licence number",
    "12 Items previously exported",
    "13 Import/end-user certificate",
    "14 Applicant",
    "15 Other party authorised to receive licence",
    "16 Purchaser",
    "17 Intermediate consignee",
    "18 Ultimate consignee",
    "19 End user",
    "20 Original ultimate consignee",
    "21 Specific end use",
    "22 Item",
    "23 Total application value",
    "24 Additional information",
    "25 Signature",
]
ITEM_LABELS = [
    "(a) ECCN",
    "(b) CTP",
    "(c) Model number",
    "(d) CCATS number",
    "(e) Quantity",
    "(f) Units",
    "(g) Unit price",
    "(h) Total price",
    "(i) Manufacturer",
    "(j) Technical description",
]
FILLED_748P = [
    "Olivia Officer",
    "+1 415 555 0100",
    "+1 415 555 0199",
    "☒ Export",
    "☐ Reexport",
    "☒ BIS-711",
    "☒ Technical specifications",
    "☐ Yes ☒ No",
    "University research",
    "Z765432",
    "D555555",
    "Frontier-0 under D444444",
    "DE 2026-0042",
    "Meridian Frontier AI, Inc.",
    "500 Harbor Boulevard",
    "Universität Rheinland",
    "Kaiserstraße 12",
    "Bonn",
    "53113",
    "Germany",
    "Research on multilingual summarisation at the Bonn campus",
    "4E091",
    "1,200,000 TPP",
    "FRONTIER-1",
    "G123456",
    "copies",
    "USD 250,000.00",
    "USD 750,000.00",
    "Weights of a 1.2T-parameter frontier language model",
    "Access is by API from the university's cluster.",
    "Export Compliance Officer",
]


def assert_stamped(path, filing, application):
    """Every page carries the page number, the application reference and the generation stamp."""
    pages = page_texts(path)
    assert len(pages) == filing.page_count
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert application.reference in text
        assert f"Generated {filing.generated_at.astimezone().strftime('%Y-%m-%d')}" in text
        assert f"filing {filing.pk}, version {filing.version}" in text


def test_the_748p_shows_all_25_blocks_and_every_filled_value(draft, render):
    filing, path = render(draft, "bis_748p")
    png = first_page_png(path, "bis_748p")
    assert page_size_pixels(png) == (680, 880)  # US letter at 80 dpi
    text = pdf_text(path)
    for label in BLOCKS_748P + ITEM_LABELS:
        assert label in text, label
    for value in FILLED_748P:
        assert value in text, value
    assert "FORM BIS-748P" in text and "MULTIPURPOSE APPLICATION" in text
    assert filing.page_count == 1
    assert_stamped(path, filing, draft)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == filing.sha256


def test_empty_748p_blocks_are_printed_empty_and_shaded(draft, render):
    _, path = render(draft, "bis_748p")
    png = first_page_png(path, "bis_748p_empty_blocks")
    found = words(path)
    other_party = heading(found, "15", "Other", "party")
    intermediate = heading(found, "17", "Intermediate", "consignee")
    # Block 15 runs from its heading down to block 17's, in the right-hand column.
    box = (other_party.x0, other_party.y1 + 1, other_party.x0 + 250, intermediate.y0 - 3)
    inside = {w.text for w in found if box[0] <= w.x0 <= box[2] and box[1] <= w.y0 <= box[3]}
    assert inside <= {"Name", "Address", "City", "Postal", "code", "Country", "Telephone", "Website"}
    assert shaded_share(png, box) > 0.4
    # A filled block of the same shape is mostly white.
    applicant = heading(found, "14", "Applicant")
    purchaser = heading(found, "16", "Purchaser")
    filled = (applicant.x0, applicant.y1 + 1, applicant.x0 + 250, purchaser.y0 - 3)
    assert shaded_share(png, filled) < 0.25


def test_more_items_and_end_users_than_the_form_holds_go_on_the_appendices(draft, render):
    add_items(draft, 3)
    add_end_users(draft, 2)
    _, form = render(draft, "bis_748p")
    text = pdf_text(form)
    assert "22 Item 1 of 4" in text
    assert "☒ BIS-748P-A" in text and "☒ BIS-748P-B" in text
    assert "Items 2 to 4 are on the BIS-748P-A. End users 2 to 3 are on the BIS-748P-B." in text

    filing_a, items = render(draft, "bis_748p_a")
    first_page_png(items, "bis_748p_a")
    text = pdf_text(items)
    assert "FORM BIS-748P-A" in text and "ITEM APPENDIX" in text
    for position, model in ((2, "FRONTIER-2"), (3, "FRONTIER-3"), (4, "FRONTIER-4")):
        assert f"22 Item {position} of 4" in text and model in text
    for label in ITEM_LABELS:
        assert label in text
    assert "FRONTIER-1" not in text
    assert_stamped(items, filing_a, draft)

    filing_b, end_users = render(draft, "bis_748p_b")
    first_page_png(end_users, "bis_748p_b")
    text = pdf_text(end_users)
    assert "FORM BIS-748P-B" in text and "END-USER APPENDIX" in text
    for position in (2, 3):
        assert f"19 End user {position} of 3" in text
        assert f"Institut Nummer {position}" in text and f"Hauptstraße {position}" in text
    assert "Köln" in text and "+49 221 555 0002" in text and "21 Specific end use" in text
    assert_stamped(end_users, filing_b, draft)


def test_an_appendix_is_refused_when_the_form_holds_everything(draft, officer):
    with pytest.raises(ValidationError) as error:
        request_filing(actor=officer, application=draft, kind="bis_748p_a")
    assert "the BIS-748P holds 1, so there is nothing for a BIS-748P-A" in error.value.message_dict["kind"][0]
    with pytest.raises(ValidationError, match="nothing for a BIS-748P-B"):
        request_filing(actor=officer, application=draft, kind="bis_748p_b")
    assert not draft.filings.exists()


def test_the_bis_711_names_consignee_purchaser_items_and_the_748_11_deadlines(draft, render, officer):
    from django.core.files.base import ContentFile

    from licensing.cases.models import SupportingDocument

    SupportingDocument.objects.create(
        application=draft,
        kind=SupportingDocumentKind.FORM_711,
        file=ContentFile(b"%PDF-1.4 signed statement", name="711.pdf"),
        token="a711",
        original_name="signed-711.pdf",
        signed_on="2026-03-01",
        uploaded_by=officer,
    )
    filing, path = render(draft, "bis_711")
    first_page_png(path, "bis_711")
    text = pdf_text(path)
    for label in (
        "FORM BIS-711",
        "STATEMENT BY ULTIMATE CONSIGNEE AND PURCHASER",
        "1 Ultimate consignee",
        "2 Disposition or use of items by the ultimate consignee",
        "3 Nature of business of the ultimate consignee",
        "4 Additional information",
        "5 Assistance in preparing this statement",
        "6 Certification for ultimate consignee",
        "7 Certification for purchaser",
        "8 For use by the applicant",
    ):
        assert label in text, label
    for value in ("Universität Rheinland", "Kaiserstraße 12", "Bonn", "53113", "Germany", "☒ E. Other"):
        assert value in text, value
    assert "Research on multilingual summarisation at the Bonn campus" in text
    assert "4E091" in text and "FRONTIER-1" in text and "USD 750,000.00" in text
    assert "signed on 2026-03-01: the first application relying on it must be filed by 2027-03-01" in text
    assert "later ones by 2030-03-01" in text
    assert_stamped(path, filing, draft)


def test_the_letter_for_a_deemed_export_names_person_technology_release_and_tcp(deemed_draft, render, settings):
    settings.TECHNOLOGY_CONTROL_PLAN_REFERENCE = "TCP-2026-03 rev. 2"
    filing, path = render(deemed_draft, "letter_of_explanation")
    first_page_png(path, "letter_of_explanation_deemed")
    text = pdf_text(path)
    assert "Re: Letter of explanation for licence application " + deemed_draft.reference in text
    for heading_text in ("1. The person", "2. The technology", "3. The release", "4. Technology Control Plan"):
        assert heading_text in text
    assert "Daniel Levin" in text and "Great Lakes University AI Lab" in text
    assert "Citizenship of Russian Federation since 1990-01-10" in text
    assert "Citizenship of Israel since 2015-06-01" in text
    # 734.13(b): the most recent citizenship decides where the release goes.
    assert "Release attributed to Israel (15 CFR 734.13(a)(2) and (b))" in text
    assert "Frontier-1 model weights" in text and "4E091" in text
    assert "Access to Frontier-1 model weights (deemed export)" in text
    assert "TCP-2026-03 rev. 2" in text
    assert "Olivia Officer" in text
    assert_stamped(path, filing, deemed_draft)


def test_a_deemed_export_letter_is_refused_without_a_technology_control_plan(deemed_draft, officer, settings):
    settings.TECHNOLOGY_CONTROL_PLAN_REFERENCE = ""
    with pytest.raises(ValidationError) as error:
        request_filing(actor=officer, application=deemed_draft, kind="letter_of_explanation")
    assert "TECHNOLOGY_CONTROL_PLAN_REFERENCE" in error.value.message_dict["kind"][0]
    assert not deemed_draft.filings.exists()


def test_the_licence_summary_shows_number_validity_and_conditions(licensed, render):
    filing, path = render(licensed, "licence_summary")
    first_page_png(path, "licence_summary")
    text = pdf_text(path)
    for value in (
        "1 Licence number",
        "D123456",
        "9 Valid from",
        "2026-11-02",
        "10 Valid until",
        "2030-11-04",
        "Not limited (software or technology, 15 CFR 750.7(f))",
        "15 Employees covered",
        "Conditions (riders)",
        "No release to employees of D:5 nationality",
        "Report each release quarterly",
        "Not yet acknowledged",
        "SNAP-R Z123456",
    ):
        assert value in text, value
    assert_stamped(path, filing, licensed)


def test_a_licence_summary_is_refused_before_a_licence_is_issued(draft, officer):
    with pytest.raises(ValidationError, match="has no issued licence"):
        request_filing(actor=officer, application=draft, kind="licence_summary")
