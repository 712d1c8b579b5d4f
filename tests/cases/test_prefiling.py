"""The pre-filing check as a table: one row per rule, in the order of `CHECKS`.

Each row starts from an application every rule passes and changes one fact,
so that its rule alone speaks. The drafts are built in memory: the rules read
only what `load_draft` loaded. The tests after the table load real
applications and submit them.
"""

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.cases import prefiling
from licensing.cases.models import (
    ApplicationItem,
    ApplicationParty,
    ApplicationType,
    ConsigneeStatement,
    LicenceApplication,
    SupportingDocumentKind,
)
from licensing.cases.services import applications
from licensing.parties.models import EvidenceDocument
from licensing.reference.models import Activity
from tests.factories import CustomerFactory, approved_determination, letter, transaction
from tests.ready_to_file import complete_application

Role = ApplicationParty.Role
Kind = SupportingDocumentKind
TODAY = datetime.date(2026, 12, 7)


def _party(role, name, position=1, **fields):
    values = {"address": "1 Main Street", "city": "Munich", "country_id": "DE", **fields}
    return ApplicationParty(role=role, name=name, position=position, **values)


def clean_draft(**changes) -> prefiling.Draft:
    application = LicenceApplication(
        application_type=ApplicationType.EXPORT,
        contact_name="Olivia Officer",
        contact_phone="+1 415 555 0100",
        documents_submitted=[Kind.LETTER_OF_EXPLANATION, Kind.FORM_711],
        specific_end_use="Fine-tuning the model for German-language legal research at the Munich lab.",
        signer_name="Olivia Officer",
        signer_title="Export compliance officer",
    )
    draft = prefiling.Draft(
        application=application,
        activity=Activity.EXPORT,
        person=None,
        parties=(
            _party(Role.APPLICANT, "Meridian Frontier AI, Inc.", country_id="US", city="San Francisco"),
            _party(Role.PURCHASER, "Rheinland Research GmbH"),
            _party(Role.ULTIMATE_CONSIGNEE, "Rheinland Research GmbH"),
            _party(Role.END_USER, "Rheinland Research GmbH"),
        ),
        items=(ApplicationItem(position=1, eccn="4E091", quantity=Decimal(1), units="copies"),),
        uploaded_kinds=frozenset({Kind.FORM_711}),
        statements=(ConsigneeStatement(consignee_name="Rheinland Research GmbH", signed_on=TODAY.replace(month=3)),),
        statements_used_before=frozenset(),
        evidence_kinds=frozenset(),
        technology_control_plan="TCP-2026-01",
        today=TODAY,
    )
    return dataclasses.replace(draft, **changes)


def with_blocks(**fields) -> prefiling.Draft:
    draft = clean_draft()
    for name, value in fields.items():
        setattr(draft.application, name, value)
    return draft


def without_party(role) -> prefiling.Draft:
    draft = clean_draft()
    return dataclasses.replace(draft, parties=tuple(p for p in draft.parties if p.role != role))


def blank_address(role) -> prefiling.Draft:
    draft = clean_draft()
    parties = tuple(_party(p.role, p.name, address="") if p.role == role else p for p in draft.parties)
    return dataclasses.replace(draft, parties=parties)


def deemed(activity=Activity.DEEMED_EXPORT, evidence=(), **changes) -> prefiling.Draft:
    person = SimpleNamespace(name="Ananya Iyer")
    return clean_draft(activity=activity, person=person, evidence_kinds=frozenset(evidence), **changes)


PASSPORT, VISA, RESUME = EvidenceDocument.Kind.PASSPORT, EvidenceDocument.Kind.VISA, EvidenceDocument.Kind.RESUME


@dataclasses.dataclass
class Row:
    rule: str
    draft: Callable[[], prefiling.Draft]
    block: str
    field: str
    says: str


ROWS = [
    Row("contact", lambda: with_blocks(contact_phone=" "), "1–2 Contact", "contact_phone", "telephone"),
    Row(
        "ticked_documents_uploaded",
        lambda: with_blocks(documents_submitted=[Kind.FORM_711, Kind.TECHNICAL_SPECIFICATIONS]),
        "6 Documents submitted",
        "documents_submitted",
        "Technical specifications",
    ),
    Row(
        "consignee_statement_recorded",
        lambda: clean_draft(statements=()),
        "6 Documents submitted: BIS-711",
        "documents_submitted",
        "no signed statement",
    ),
    Row(
        "consignee_statement_in_window",
        lambda: clean_draft(
            statements=(
                ConsigneeStatement(consignee_name="Rheinland Research GmbH", signed_on=datetime.date(2025, 12, 6)),
            )
        ),
        "6 Documents submitted: BIS-711",
        "consignee_statements",
        "filed until 2026-12-06 (the first application",
    ),
    Row(
        "consignee_statement_names_consignee",
        lambda: clean_draft(
            statements=(ConsigneeStatement(consignee_name="Someone Else SA", signed_on=datetime.date(2026, 3, 1)),)
        ),
        "6 Documents submitted: BIS-711",
        "consignee_statements",
        "signed by Someone Else SA",
    ),
    Row(
        "person_papers",
        lambda: deemed(evidence=(PASSPORT,)),
        "6 Documents submitted: deemed export",
        "evidence",
        "visa, resume",
    ),
    Row(
        "technology_control_plan",
        lambda: deemed(evidence=(PASSPORT, VISA, RESUME), technology_control_plan=""),
        "6 Documents submitted: deemed export",
        "technology_control_plan",
        "Technology Control Plan",
    ),
    Row("applicant", lambda: without_party(Role.APPLICANT), "14 Applicant", "parties", "names nobody"),
    Row("purchaser", lambda: blank_address(Role.PURCHASER), "16 Purchaser", "parties", "no full address"),
    Row(
        "ultimate_consignee",
        lambda: blank_address(Role.ULTIMATE_CONSIGNEE),
        "18 Ultimate consignee",
        "parties",
        "Rheinland",
    ),
    Row("end_user", lambda: blank_address(Role.END_USER), "19 End user", "parties", "no full address"),
    Row(
        "original_ultimate_consignee",
        lambda: with_blocks(application_type=ApplicationType.REEXPORT),
        "20 Original ultimate consignee",
        "parties",
        "names nobody",
    ),
    Row("end_use_given", lambda: with_blocks(specific_end_use=""), "21 Specific end use", "specific_end_use", "blank"),
    Row(
        "end_use_specific",
        lambda: with_blocks(specific_end_use="General research, end use TBD"),
        "21 Specific end use",
        "specific_end_use",
        "“general”, “tbd”",
    ),
    Row("items_listed", lambda: clean_draft(items=()), "22 Items", "items", "no item"),
    Row(
        "item_quantities",
        lambda: clean_draft(
            items=(
                ApplicationItem(position=1, eccn="4E091", quantity=Decimal(1), units="copies"),
                ApplicationItem(position=2, eccn="4E091", quantity=None, units=""),
            )
        ),
        "22e–f Quantity and units",
        "items",
        "line 2:",
    ),
    Row("signature", lambda: with_blocks(signer_title=""), "25 Signature", "signer_title", "name and title"),
]


def test_the_table_follows_the_checks():
    names = [rule.__name__.removesuffix("_named_with_address") for rule in prefiling.CHECKS]
    assert [row.rule for row in ROWS] == names


def test_a_complete_draft_has_no_problem():
    assert prefiling.check(clean_draft()) == []
    assert prefiling.check(deemed(evidence=(PASSPORT, VISA, RESUME))) == []


@pytest.mark.parametrize("row", ROWS, ids=[row.rule for row in ROWS])
def test_each_rule_names_its_block_and_the_fix(row):
    problems = prefiling.check(row.draft())
    assert [(p.block, p.field) for p in problems] == [(row.block, row.field)]
    assert row.says in problems[0].message
    assert problems[0].fix


@pytest.mark.parametrize(
    "end_use",
    [
        "Generally available research",
        "Unknownness studies",
        "A TBDX programme",
        "Model evaluation for the general counsel's office",
    ],
)
def test_vague_words_are_whole_words(end_use):
    problems = prefiling.check(with_blocks(specific_end_use=end_use))
    assert [p.field for p in problems] == (["specific_end_use"] if "general " in end_use else [])


def test_a_bis_711_an_earlier_filing_used_is_good_for_four_years():
    signed = datetime.date(2024, 1, 10)
    draft = clean_draft(
        statements=(ConsigneeStatement(consignee_name="Rheinland Research GmbH", signed_on=signed),),
        statements_used_before=frozenset({signed}),
    )
    assert prefiling.check(draft) == []


def test_a_deemed_reexport_needs_no_visa_and_no_original_consignee():
    draft = deemed(activity=Activity.DEEMED_REEXPORT, evidence=(PASSPORT, RESUME))
    draft.application.application_type = ApplicationType.REEXPORT
    assert prefiling.check(draft) == []


def test_a_classification_request_names_no_parties():
    draft = dataclasses.replace(clean_draft(), parties=())
    draft.application.application_type = ApplicationType.CLASSIFICATION
    assert prefiling.check(draft) == []


# With the database: the check as the services and pages use it.


@pytest.fixture
def api_reader(db):
    client = APIClient()
    raw = issue_api_token(actor=None, name="reporting", role=ClientRole.READ_ONLY)[1]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def draft(officer, reviewer, item, today):
    letter(item)
    customer = CustomerFactory(legal_name="Universität Rheinland", country_of_incorporation_id="DE")
    approved_determination(customer, preparer=officer, reviewer=reviewer, effective_on=today)
    record = transaction(customer, item)
    return LicenceApplication.objects.get(transaction=record)


def test_submitting_an_incomplete_draft_is_refused_naming_the_fields(draft, officer):
    with pytest.raises(ValidationError) as refusal:
        applications.submit_application_for_review(actor=officer, application=draft)
    fields = refusal.value.message_dict
    assert {"signer_name", "parties", "items", "documents_submitted"} <= set(fields)
    assert any("16 Purchaser" in message for message in fields["parties"])
    draft.refresh_from_db()
    assert draft.status == LicenceApplication.Status.DRAFT
    assert draft.prepared_by is None


def test_a_completed_draft_goes_for_review(draft, officer):
    applications.update_application(actor=officer, application=draft, signer_name="O. Officer", signer_title="Officer")
    submitted = applications.submit_application_for_review(actor=officer, application=complete_application(draft))
    assert submitted.status == LicenceApplication.Status.IN_REVIEW


def test_the_checklist_reads_what_is_typed_but_not_saved(draft, officer, client, today):
    client.force_login(officer)
    url = reverse("application_checklist", args=[draft.pk])
    before = client.get(url)
    assert before.status_code == 200
    assert "25 Signature" in before.content.decode()
    typed = client.get(url, {"signer_name": "Olivia Officer", "signer_title": "Officer", "application_type": "export"})
    assert "25 Signature" not in typed.content.decode()
    draft.refresh_from_db()
    assert draft.signer_name == ""


def test_the_application_page_shows_the_checklist(draft, officer, client):
    client.force_login(officer)
    page = client.get(reverse("application_detail", args=[draft.pk])).content.decode()
    assert "Before filing" in page
    assert "16 Purchaser" in page


def test_the_api_gives_the_checklist_as_json(draft, api_reader):
    response = api_reader.get(f"/api/v1/applications/{draft.pk}/checklist")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is False
    assert {"block": "25 Signature", "field": "signer_name"}.items() <= body["problems"][-1].items()


def test_the_api_checklist_of_an_unknown_application_is_404(api_reader):
    assert api_reader.get("/api/v1/applications/999999/checklist").status_code == 404
