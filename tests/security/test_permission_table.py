"""The whole roles × actions table, walked through the web UI and the API.

Each action of the table names the requests that need it (its probes). A
person of each role sends every probe signed in, pages and API alike (the API
admits a staff session); each API token's role sends every probe with its
bearer token. Where the table allows, the caller gets the probe's own answer
(a page, a redirect, a validation error: never a refusal); where it refuses,
a 403 and nothing written.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction as db_transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.accounts.models import Role
from licensing.accounts.permissions import PERMISSIONS, Action, ClientRole
from licensing.api.models import ApiToken
from licensing.api.tokens import issue_api_token
from licensing.audit.models import Event
from licensing.cases.models import ConsigneeStatement, IntentToDenyResponse, Licence, LicenceApplication, Transaction
from licensing.cases.services import applications, licences
from licensing.deadlines.models import Deadline, Kind
from licensing.determinations import services as determinations
from licensing.determinations.attestation import APPROVAL_ATTESTATION_VERSION
from licensing.determinations.models import ForeignPersonDetermination
from licensing.filings.models import ExportPackage, Filing, FilingKind, RetentionRecord
from licensing.filings.services.filings import request_filing
from licensing.filings.services.packages import request_export_package
from licensing.gateway.models import ModelApiKey
from licensing.parties.evidence import attach_evidence
from licensing.parties.models import Customer, EvidenceDocument, StatusRecord
from licensing.reference import loading
from licensing.reference.models import Activity, ControlledItem, Country, CountryGroup, CountryGroupMembership
from licensing.screening.models import Feed, Hit, ListEntry, ListVersion, Rescreen
from tests.ready_to_file import complete_application

from ..factories import (
    CustomerFactory,
    ItemFactory,
    PersonFactory,
    UserFactory,
    add_status,
    approved_determination,
    letter,
    transaction,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# What only personal evidence carries: a date of birth, a scan's name and description.
DATE_OF_BIRTH = datetime.date(1994, 5, 2)
EVIDENCE_NAME = "priya-raman-passport.pdf"
EVIDENCE_DESCRIPTION = "Passport Z9876543, issued in Chennai"


@dataclass(frozen=True)
class Probe:
    """One request that needs one action of the table, and what an allowed caller gets back."""

    method: str
    url: Callable
    # The allowed caller's answer: the page, the redirect, or the validation error of a minimal request.
    allowed: int
    data: Callable | None = None
    api: bool = False
    # Read before and after a refused request: it must not move (the event log is always read too).
    state: Callable | None = None

    def send(self, client, world):
        data = self.data(world) if self.data else None
        kwargs = {"format": "json"} if self.api and data is not None else {}
        return getattr(client, self.method.lower())(self.url(world), data, **kwargs)

    def describe(self, world) -> str:
        return f"{self.method} {self.url(world)}"


def ui(method, url, allowed, data=None, state=None):
    return Probe(method, url, allowed, data=data, state=state)


def api(method, url, allowed, data=None, state=None):
    return Probe(method, url, allowed, data=data, api=True, state=state)


def status_of(model, pk_of):
    return lambda w: model.objects.get(pk=pk_of(w)).status


PROBES: dict[Action, list[Probe]] = {
    Action.VIEW_CASES: [
        ui("GET", lambda w: reverse("customer_list"), 200),
        api("GET", lambda w: "/api/v1/deadlines", 200),
        api("GET", lambda w: "/api/v1/screening/hits", 200),
    ],
    Action.VIEW_EVIDENCE: [
        ui("GET", lambda w: reverse("person_evidence_download", args=[w.person.pk, w.evidence.pk]), 200),
        ui(
            "POST",
            lambda w: reverse("person_evidence_add", args=[w.person.pk]),
            400,
            data=lambda w: {"evidence-kind": "passport"},
            state=lambda w: EvidenceDocument.objects.count(),
        ),
    ],
    Action.VIEW_AUDIT_LOG: [
        ui("GET", lambda w: reverse("admin:audit_event_changelist"), 200),
    ],
    Action.EDIT_PARTIES: [
        ui(
            "POST",
            lambda w: reverse("customer_create"),
            302,
            data=lambda w: {
                "external_id": "CUST-TABLE",
                "kind": "entity",
                "legal_name": "Table Walkers SARL",
                "country_of_incorporation": "FR",
            },
            state=lambda w: Customer.objects.count(),
        ),
    ],
    Action.PREPARE_DETERMINATION: [
        ui(
            "POST",
            lambda w: reverse("determination_prepare", args=["customer", w.customer.pk]),
            302,
            data=lambda w: {"effective_on": w.today.isoformat()},
            state=lambda w: ForeignPersonDetermination.objects.count(),
        ),
    ],
    Action.APPROVE_DETERMINATION: [
        ui(
            "POST",
            lambda w: reverse("determination_transition", args=[w.determination.pk, "approve"]),
            302,
            # The approve button posts the version of the attestation shown beside it.
            data=lambda w: {"approve-attestation": APPROVAL_ATTESTATION_VERSION},
            state=status_of(ForeignPersonDetermination, lambda w: w.determination.pk),
        ),
    ],
    Action.DECIDE_TRANSACTION: [
        ui(
            "POST",
            lambda w: reverse("transaction_create"),
            302,
            data=lambda w: {
                "external_id": "TX-TABLE-UI",
                "customer": w.customer.external_id,
                "item": w.item.pk,
                "activity": "export",
                "destination_country": "DE",
                "currency": "USD",
            },
            state=lambda w: Transaction.objects.count(),
        ),
        ui("POST", lambda w: reverse("transaction_decide", args=[w.in_review.transaction_id]), 302),
    ],
    Action.PREPARE_APPLICATION: [
        ui("GET", lambda w: reverse("application_edit", args=[w.draft.pk]), 200),
        ui(
            "POST",
            lambda w: reverse("application_transition", args=[w.draft.pk, "submit_for_review"]),
            302,
            state=status_of(LicenceApplication, lambda w: w.draft.pk),
        ),
    ],
    Action.REVIEW_APPLICATION: [
        ui(
            "POST",
            lambda w: reverse("application_transition", args=[w.in_review.pk, "approve_for_filing"]),
            302,
            state=status_of(LicenceApplication, lambda w: w.in_review.pk),
        ),
    ],
    Action.RECORD_BIS_ACTION: [
        ui(
            "POST",
            lambda w: reverse("application_transition", args=[w.approved.pk, "mark_submitted"]),
            302,
            data=lambda w: {"mark_submitted-control_number": "Z765432"},
            state=status_of(LicenceApplication, lambda w: w.approved.pk),
        ),
        # Without what BIS asked: the role check passes and the request is refused, naming the fields.
        api(
            "POST",
            lambda w: f"/api/v1/applications/{w.approved.pk}/information-requests",
            400,
            data=lambda w: {},
            state=status_of(LicenceApplication, lambda w: w.approved.pk),
        ),
    ],
    Action.RECORD_CONSIGNEE_STATEMENT: [
        # Without the signed PDF: refused naming the document, after the role check.
        ui(
            "POST",
            lambda w: reverse("application_consignee_statement_add", args=[w.draft.pk]),
            400,
            data=lambda w: {"bis711-signer_name": "Dr. Anna Becker"},
            state=lambda w: ConsigneeStatement.objects.count(),
        ),
        # An empty form (the statement is multipart, with its PDF).
        api(
            "POST",
            lambda w: f"/api/v1/applications/{w.draft.pk}/consignee-statements",
            400,
            state=lambda w: ConsigneeStatement.objects.count(),
        ),
    ],
    Action.RESPOND_TO_BIS: [
        ui(
            "POST",
            lambda w: reverse("application_intent_to_deny_response", args=[w.approved.pk]),
            400,
            state=lambda w: IntentToDenyResponse.objects.count(),
        ),
        # Nothing was asked of this application: the answer is refused, naming the request.
        ui(
            "POST",
            lambda w: reverse("application_transition", args=[w.approved.pk, "record_information_supplied"]),
            400,
            state=status_of(LicenceApplication, lambda w: w.approved.pk),
        ),
        api(
            "POST",
            lambda w: f"/api/v1/applications/{w.approved.pk}/intent-to-deny-response",
            400,
            data=lambda w: {},
            state=lambda w: IntentToDenyResponse.objects.count(),
        ),
    ],
    Action.MANAGE_LICENCE: [
        ui(
            "POST",
            lambda w: reverse("licence_transition", args=[w.licence.pk, "suspend"]),
            302,
            data=lambda w: {"suspend-reason": "Diversion suspected"},
            state=status_of(Licence, lambda w: w.licence.pk),
        ),
    ],
    Action.MANAGE_REFERENCE_DATA: [
        ui("GET", lambda w: reverse("admin:reference_controlleditem_add"), 200),
        ui(
            "POST",
            lambda w: reverse("admin:reference_controlleditem_add"),
            302,
            data=lambda w: {
                "code": "frontier-2",
                "name": "Frontier-2 model weights",
                "eccn": "4E091",
                "manufacturer": "Meridian Frontier AI, Inc.",
            },
            state=lambda w: ControlledItem.objects.count(),
        ),
    ],
    Action.SEARCH_SCREENING_LISTS: [
        ui("GET", lambda w: reverse("screening:search"), 200),
        # Without a name: the role check passes and the query is refused, before any list is read.
        api("GET", lambda w: "/api/v1/screening/search", 400),
    ],
    Action.ADJUDICATE_SCREENING_HITS: [
        ui(
            "POST",
            lambda w: reverse("screening:hit_adjudicate", args=[w.hit.pk]),
            400,
            state=status_of(Hit, lambda w: w.hit.pk),
        ),
        api(
            "POST",
            lambda w: f"/api/v1/screening/hits/{w.hit.pk}/adjudication",
            400,
            data=lambda w: {"outcome": "true_match"},
            state=status_of(Hit, lambda w: w.hit.pk),
        ),
    ],
    Action.IMPORT_SCREENING_LISTS: [
        ui("POST", lambda w: reverse("screening:lists"), 400, data=lambda w: {"feed": Feed.CSL}),
        ui("POST", lambda w: reverse("screening:rescreen_start"), 302, state=lambda w: Rescreen.objects.count()),
    ],
    Action.COMMENT: [
        ui(
            "POST",
            lambda w: reverse("comment_add", args=["application", w.in_review.pk]),
            302,
            data=lambda w: {"text": "Checked the end use."},
        ),
    ],
    Action.ASSIGN_CASES: [
        ui(
            "POST",
            lambda w: reverse("application_assign_many"),
            302,
            data=lambda w: {"selected": [w.in_review.pk], "officer": w.people[Role.OFFICER].pk},
            state=lambda w: LicenceApplication.objects.get(pk=w.in_review.pk).assigned_officer_id,
        ),
    ],
    Action.SETTLE_DEADLINE: [
        ui(
            "POST",
            lambda w: reverse("deadlines:settle", args=[w.deadline.pk]),
            302,
            data=lambda w: {"status": "met", "on": w.today.isoformat()},
            state=status_of(Deadline, lambda w: w.deadline.pk),
        ),
    ],
    Action.GENERATE_FILINGS: [
        ui(
            "POST",
            lambda w: reverse("filings:generate", args=[w.approved.pk]),
            302,
            data=lambda w: {"kind": FilingKind.FORM_748P},
            state=lambda w: Filing.objects.count(),
        ),
        ui("POST", lambda w: reverse("filings:retry", args=[w.filing.pk]), 302),
        api(
            "POST",
            lambda w: f"/api/v1/applications/{w.approved.pk}/filings",
            202,
            data=lambda w: {"kind": FilingKind.FORM_748P},
            state=lambda w: Filing.objects.count(),
        ),
    ],
    Action.EXPORT_PACKAGES: [
        ui(
            "POST",
            lambda w: reverse("filings:exports"),
            302,
            data=lambda w: {"applications": w.in_review.reference},
            state=lambda w: ExportPackage.objects.count(),
        ),
        api(
            "POST",
            lambda w: "/api/v1/exports",
            202,
            data=lambda w: {"applications": [w.in_review.pk]},
            state=lambda w: ExportPackage.objects.count(),
        ),
    ],
    Action.DOWNLOAD_PACKAGES: [
        ui("GET", lambda w: reverse("filings:exports"), 200),
        ui("GET", lambda w: reverse("filings:export", args=[w.package.pk]), 200),
        api("GET", lambda w: f"/api/v1/exports/{w.package.pk}", 200),
    ],
    Action.MANAGE_RETENTION: [
        ui(
            "POST",
            lambda w: reverse("filings:legal_hold", args=[w.in_review.pk]),
            302,
            data=lambda w: {"reason": "Agency subpoena 2026-17"},
            state=lambda w: RetentionRecord.objects.filter(legal_hold=True).count(),
        ),
    ],
    Action.DESTROY_RECORDS: [
        # The case still runs, so nothing may be destroyed yet: the allowed caller is sent back with the reason.
        ui("POST", lambda w: reverse("filings:destroy", args=[w.approved.pk]), 302),
    ],
    Action.QUERY_API: [
        api("GET", lambda w: "/api/v1/customers", 200),
        api("GET", lambda w: f"/api/v1/licences/{w.licence.number}", 200),
    ],
    Action.CHECK_ACCESS: [
        api("GET", lambda w: f"/api/v1/access-check?customer={w.customer.external_id}&item={w.item.code}", 200),
    ],
    Action.SYNC_PARTIES: [
        api(
            "PUT",
            lambda w: "/api/v1/customers/CUST-TABLE-API",
            201,
            data=lambda w: {"kind": "entity", "legal_name": "Table Walkers GmbH", "country_of_incorporation": "DE"},
            state=lambda w: Customer.objects.count(),
        ),
    ],
    Action.SUBMIT_TRANSACTIONS: [
        api(
            "POST",
            lambda w: "/api/v1/transactions",
            201,
            data=lambda w: {
                "external_id": "TX-TABLE-API",
                "customer": w.customer.external_id,
                "item": w.item.code,
                "activity": "export",
                "destination_country": "DE",
            },
            state=lambda w: Transaction.objects.count(),
        ),
    ],
    Action.RECORD_LICENCE_USAGE: [
        api(
            "POST",
            lambda w: f"/api/v1/licences/{w.licence.number}/usage",
            201,
            data=lambda w: {"transaction": w.licensed_transaction.external_id, "quantity": "1", "value": "10.00"},
            state=lambda w: w.licence.usages.count(),
        ),
    ],
    Action.MANAGE_WEBHOOKS: [
        ui("GET", lambda w: reverse("admin:api_webhooksubscription_changelist"), 200),
        api("GET", lambda w: "/api/v1/webhooks", 200),
        api(
            "POST",
            lambda w: "/api/v1/webhooks",
            201,
            data=lambda w: {
                "name": "table-walk",
                "url": "https://hooks.example.com/exportdesk",
                "events": ["licence.issued"],
            },
        ),
    ],
    Action.MANAGE_MODEL_API_KEYS: [
        api("GET", lambda w: f"/api/v1/customers/{w.customer.external_id}/model-api-keys", 200),
        api(
            "POST",
            lambda w: f"/api/v1/customers/{w.customer.external_id}/model-api-keys",
            201,
            data=lambda w: {"name": "table-walk"},
            state=lambda w: ModelApiKey.objects.count(),
        ),
    ],
    Action.MANAGE_API_TOKENS: [
        ui("GET", lambda w: reverse("admin:api_apitoken_changelist"), 200),
        ui(
            "POST",
            lambda w: reverse("admin:api_apitoken_changelist"),
            302,
            data=lambda w: {"action": "revoke", "_selected_action": [w.spare_token.pk]},
            state=lambda w: ApiToken.objects.get(pk=w.spare_token.pk).revoked_at,
        ),
    ],
}


def _application(customer, item, external_id, *, preparer, approver, stage):
    """An application taken through the services as far as `stage`; a licence for stage "licensed"."""
    record = transaction(customer, item, external_id=external_id)
    application = applications.update_application(
        actor=preparer,
        application=LicenceApplication.objects.get(transaction=record),
        signer_name="Pat Preparer",
        signer_title="Compliance officer",
    )
    # Complete enough to pass the pre-filing check, so a draft may be submitted through the UI too.
    application = complete_application(application)
    if stage == "draft":
        return application
    application = applications.submit_application_for_review(actor=preparer, application=application)
    if stage == "in_review":
        return application
    application = applications.approve_for_filing(actor=approver, application=application)
    if stage == "approved":
        return application
    application = applications.record_submission(actor=preparer, application=application, control_number="Z100002")
    application = applications.record_registration(actor=preparer, application=application)
    return licences.record_approval(
        actor=preparer,
        application=application,
        licence_number="D7654321",
        valid_from=timezone.localdate() - datetime.timedelta(days=10),
    )


def build_world(media):
    """One of each record a probe needs, made through the services; the personas never made any of them."""
    today = timezone.localdate()
    if not CountryGroupMembership.objects.exists():
        loading.load(Country, CountryGroup, CountryGroupMembership)
    people = {role: UserFactory(username=f"table-{role}", role=role) for role in Role}
    # Four eyes: the records the personas review were prepared and approved by others.
    preparer = UserFactory(username="table-preparer", role=Role.OFFICER)
    approver = UserFactory(username="table-approver", role=Role.REVIEWER)
    item = ItemFactory()
    # One licence may cover several transactions, so usage can be recorded against it.
    letter(item, per_transaction=False)
    customer = CustomerFactory(legal_name="Universität Rheinland", country_of_incorporation_id="DE")
    approved_determination(customer, preparer=preparer, reviewer=approver, effective_on=today)
    lab = CustomerFactory(legal_name="Great Lakes University AI Lab", country_of_incorporation_id="US")
    approved_determination(lab, preparer=preparer, reviewer=approver, effective_on=today)
    person = PersonFactory(
        customer=lab, employer=lab, given_name="Priya", family_name="Raman", date_of_birth=DATE_OF_BIRTH
    )
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "IN", "2001-03-14")
    evidence = attach_evidence(
        actor=preparer,
        person=person,
        kind="passport",
        upload=SimpleUploadedFile(EVIDENCE_NAME, PDF),
        description=EVIDENCE_DESCRIPTION,
    )
    colleague = PersonFactory(customer=lab, employer=lab, given_name="Daniel", family_name="Levin")
    person_transaction = transaction(
        lab, item, person=person, activity=Activity.DEEMED_EXPORT, country="US", external_id="TX-TABLE-PRIYA"
    )
    draft_determination = determinations.prepare_determination(actor=preparer, subject=person, effective_on=today)
    determination = determinations.submit_determination(actor=preparer, determination=draft_determination)
    stages = {"preparer": preparer, "approver": approver}
    draft = _application(customer, item, "TX-TABLE-DRAFT", stage="draft", **stages)
    in_review = _application(customer, item, "TX-TABLE-REVIEW", stage="in_review", **stages)
    approved = _application(customer, item, "TX-TABLE-APPROVED", stage="approved", **stages)
    licence = _application(customer, item, "TX-TABLE-LICENSED", stage="licensed", **stages)
    # A later transaction of the same customer and item, authorised under the licence: its usage is recorded.
    licensed_transaction = transaction(customer, item, external_id="TX-TABLE-USE", value=Decimal("10.00"))
    assert licensed_transaction.licence == licence, licensed_transaction.decision_reasons
    deadline = Deadline.objects.create(
        kind=Kind.DETERMINATION_REVIEW,
        subject_type=ContentType.objects.get_for_model(determination),
        subject_id=determination.pk,
        subject_repr=str(determination),
        starts_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=25),
        basis="Set up for the permission table.",
    )
    # A hit from a list no longer in force: adjudicable, and no index of lists in force is built.
    version = ListVersion.objects.create(
        feed=Feed.CSL,
        published_on=today,
        status=ListVersion.Status.SUPERSEDED,
        source="permission table",
        digest="0" * 64,
    )
    entry = ListEntry.objects.create(
        version=version,
        key="table-1",
        fingerprint="f" * 64,
        list_code="EL",
        source="Entity List",
        name="Universitaet Rheinland",
    )
    now = timezone.now()
    hit = Hit.objects.create(
        customer=customer,
        entry_key=entry.key,
        entry=entry,
        score=0.93,
        subject_name=customer.legal_name,
        matched_name=entry.name,
        first_matched_at=now,
        last_matched_at=now,
    )
    filing = request_filing(actor=preparer, application=approved, kind=FilingKind.FORM_748P)
    package = request_export_package(actor=people[Role.LEGAL], application_ids=[in_review.pk])
    tokens = {role: issue_api_token(actor=None, name=f"table-{role}", role=role)[1] for role in ClientRole}
    spare_token, _ = issue_api_token(actor=None, name="table-spare", role=ClientRole.READ_ONLY)
    return SimpleNamespace(
        today=today,
        media=media,
        people=people,
        tokens=tokens,
        spare_token=spare_token,
        item=item,
        customer=customer,
        lab=lab,
        person=person,
        colleague=colleague,
        person_transaction=person_transaction,
        evidence=evidence,
        determination=determination,
        draft=draft,
        in_review=in_review,
        approved=approved,
        licence=licence,
        licensed_transaction=licensed_transaction,
        deadline=deadline,
        hit=hit,
        filing=filing,
        package=package,
    )


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def with_token(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The records and callers, made once for the module and rolled back after it; each test runs in a savepoint."""
    media = tmp_path_factory.mktemp("private")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), db_transaction.atomic():
        world = build_world(media)
        # One client per caller for the whole module: each new client loads the middleware stack again,
        # static-file index and all, which would cost more than the requests themselves.
        world.callers = {role: signed_in(user) for role, user in world.people.items()}
        world.callers |= {role: with_token(raw) for role, raw in world.tokens.items()}
        yield world
        db_transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _private_media(settings, world):
    # The evidence scan was stored when the world was built: every test reads the same directory.
    settings.MEDIA_ROOT = world.media


@pytest.fixture(autouse=True)
def _no_messages_from_earlier_tests(world):
    # Only the session cookie and the token carry over between tests; messages a view left behind do not.
    for client in world.callers.values():
        client.cookies.pop("messages", None)


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith((reverse("login"), reverse("admin:login")))


def walk(client, probe: Probe, world, *, allowed: bool, refused_with: Callable) -> None:
    """Send the probe in a savepoint of its own; check the answer and, for a refusal, that nothing was written."""
    with db_transaction.atomic():
        events = Event.objects.count()
        before = probe.state(world) if probe.state else None
        response = probe.send(client, world)
        where = probe.describe(world)
        if allowed:
            assert response.status_code == probe.allowed, f"{where} answered {response.status_code}"
            assert not is_sign_in_redirect(response), f"{where} sent an allowed caller to sign in"
            if probe.state and probe.method != "GET" and response.status_code in (201, 202, 302):
                # The reading moves when the write is made, so its standing still after a refusal means something.
                assert probe.state(world) != before, f"{where} succeeded but its record did not change"
        else:
            assert refused_with(response), f"{where} answered {response.status_code}, not a refusal"
            assert Event.objects.count() == events, f"{where} wrote an event although refused"
            if probe.state:
                assert probe.state(world) == before, f"{where} changed a record although refused"
        db_transaction.set_rollback(True)


def refused_by_role(response) -> bool:
    return response.status_code == 403


CELLS_PEOPLE = [(action, role) for action in Action for role in Role]
CELLS_TOKENS = [(action, role) for action in Action for role in ClientRole]


def test_every_action_of_the_table_has_a_probe():
    assert set(PROBES) == set(Action), f"no probe for {sorted(set(Action) - set(PROBES))}"
    assert all(PROBES[action] for action in Action)


def test_an_action_granted_to_a_token_is_probed_through_the_api():
    for action, granted in PERMISSIONS.items():
        if granted & set(ClientRole):
            assert any(probe.api for probe in PROBES[action]), f"tokens may {action} but no API probe shows it"


@pytest.mark.parametrize(("action", "role"), CELLS_PEOPLE, ids=[f"{a.value}-{r.value}" for a, r in CELLS_PEOPLE])
def test_each_role_is_allowed_or_refused_each_action_as_the_table_says(db, world, action, role):
    for probe in PROBES[action]:
        walk(world.callers[role], probe, world, allowed=role in PERMISSIONS[action], refused_with=refused_by_role)


@pytest.mark.parametrize(("action", "role"), CELLS_TOKENS, ids=[f"{a.value}-{r.value}" for a, r in CELLS_TOKENS])
def test_each_token_is_allowed_or_refused_each_action_as_the_table_says(db, world, action, role):
    client = world.callers[role]
    allowed = role in PERMISSIONS[action]
    for probe in PROBES[action]:
        if probe.api:
            walk(client, probe, world, allowed=allowed, refused_with=refused_by_role)
        else:
            # The pages know people only: a bearer token is no session, so even a granted token is sent to sign in.
            walk(client, probe, world, allowed=False, refused_with=is_sign_in_redirect)


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_each_probe_is_refused_once_its_action_is_granted_to_nobody(db, world, action, monkeypatch):
    # A probe that kept answering with its action taken away would be walking some other rule.
    granted = PERMISSIONS[action]
    monkeypatch.setitem(PERMISSIONS, action, frozenset())
    for probe in PROBES[action]:
        # A person who is granted the action, else (for an API probe) a token that is.
        callers = [role for role in Role if role in granted]
        callers += [role for role in ClientRole if role in granted and probe.api]
        assert callers, f"nobody may {action} through {probe.describe(world)}"
        walk(world.callers[callers[0]], probe, world, allowed=False, refused_with=refused_by_role)


def test_an_evidence_document_opens_only_under_its_own_person(db, world):
    client = world.callers[Role.OFFICER]
    viewed = Event.objects.filter(verb="person.evidence_viewed").count()

    response = client.get(reverse("person_evidence_download", args=[world.colleague.pk, world.evidence.pk]))

    assert response.status_code == 404
    assert Event.objects.filter(verb="person.evidence_viewed").count() == viewed


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_whoever_prepared_an_application_cannot_approve_it_for_filing_through_the_ui(today, db, world, role):
    # The role table allows reviewers and administrators to approve; four eyes still refuse their own work.
    user = world.people[role]
    # A new customer: the world's customer is licensed already, so its transactions need no application.
    customer = CustomerFactory(legal_name="Institut Lumière", country_of_incorporation_id="FR")
    approved_determination(customer, preparer=world.people[Role.OFFICER], reviewer=user, effective_on=today)
    own = _application(customer, world.item, f"TX-TABLE-OWN-{role}", preparer=user, approver=None, stage="draft")
    own = applications.submit_application_for_review(actor=user, application=complete_application(own))

    response = world.callers[role].post(reverse("application_transition", args=[own.pk, "approve_for_filing"]))

    assert response.status_code == 403
    assert "four eyes" in response.content.decode()
    assert LicenceApplication.objects.get(pk=own.pk).status == LicenceApplication.Status.IN_REVIEW


@pytest.mark.parametrize("role", list(ClientRole), ids=[r.value for r in ClientRole])
def test_personal_evidence_never_reaches_an_api_token(db, world, role):
    client = world.callers[role]
    lab, person = world.lab.external_id, world.person.external_id
    reads = [
        f"/api/v1/customers/{lab}",
        f"/api/v1/customers/{lab}/persons",
        f"/api/v1/customers/{lab}/persons/{person}",
        f"/api/v1/transactions/{world.person_transaction.external_id}",
        "/api/v1/applications",
        f"/api/v1/applications/{world.in_review.pk}",
        "/api/v1/licences",
        f"/api/v1/licences/{world.licence.number}",
        f"/api/v1/customers/{lab}/persons/{person}/screening",
    ]
    answered = {}
    for url in reads:
        response = client.get(url)
        body = response.content.decode()
        answered[url] = response.status_code
        for secret in (DATE_OF_BIRTH.isoformat(), EVIDENCE_NAME, EVIDENCE_DESCRIPTION, "date_of_birth", "evidence"):
            assert secret not in body, f"{url} carries {secret!r}"
    if role not in PERMISSIONS[Action.QUERY_API]:
        # A token that reads nothing (a screening token) is refused the person outright.
        assert answered[f"/api/v1/customers/{lab}/persons/{person}"] == 403
        return
    # The token does read the person, so the absence above is not that of an empty answer.
    assert answered[f"/api/v1/customers/{lab}/persons/{person}"] == 200
    assert client.get(f"/api/v1/customers/{lab}/persons/{person}").json()["given_name"] == "Priya"
    # The screening of a person is for compliance; no token reads it.
    assert answered[f"/api/v1/customers/{lab}/persons/{person}/screening"] == 403
