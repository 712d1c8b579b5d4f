"""Each role sees only the actions it may take, and a forbidden action posted directly answers 403."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from licensing.audit.models import Event
from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.determinations import services as determinations
from licensing.determinations.attestation import APPROVAL_ATTESTATION_VERSION
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, EvidenceDocument, StatusRecord

from ..factories import PersonFactory, add_status

# The approve button posts the version of the attestation shown beside it.
ATTESTED = {"approve-attestation": APPROVAL_ATTESTATION_VERSION}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _own_draft(user):
    """A determination the user prepared and submitted: only someone else may approve it."""
    person = PersonFactory(given_name="Own", family_name="Work")
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "BR", "1991-03-03")
    draft = determinations.prepare_determination(actor=user, subject=person, effective_on=timezone.localdate())
    return determinations.submit_determination(actor=user, determination=draft)


def actions(case, user):
    """Each action: the page that would offer it, the marker of its button or form, the post, and the proof
    that a refused post changed nothing."""
    application, licence = case["application"], case["licence"]
    determination, record, person = case["determination"], case["transaction"], case["researcher"]
    customers = Customer.objects.count()
    transactions = Transaction.objects.count()
    comments = Event.objects.filter(verb="comment").count()
    table = {
        "create customer": (
            reverse("customer_list"),
            reverse("customer_create"),
            {"external_id": "CUST-NEW", "kind": "entity", "legal_name": "New Co", "country_of_incorporation": "FR"},
            lambda: Customer.objects.count() == customers,
        ),
        "record a transaction": (
            reverse("transaction_list"),
            reverse("transaction_create"),
            {
                "external_id": "TX-NEW",
                "customer": case["lab"].external_id,
                "item": record.item_id,
                "activity": "export",
                "destination_country": "FR",
                "currency": "USD",
            },
            lambda: Transaction.objects.count() == transactions,
        ),
        "approve a determination": (
            reverse("determination_detail", args=[determination.pk]),
            reverse("determination_transition", args=[determination.pk, "approve"]),
            ATTESTED,
            lambda: ForeignPersonDetermination.objects.get(pk=determination.pk).status == "in_review",
        ),
        "approve an application for filing": (
            reverse("application_detail", args=[application.pk]),
            reverse("application_transition", args=[application.pk, "approve_for_filing"]),
            {},
            lambda: LicenceApplication.objects.get(pk=application.pk).status == "in_review",
        ),
        "assign applications": (
            reverse("application_list"),
            reverse("application_assign_many"),
            {"selected": [application.pk], "officer": user.pk},
            lambda: LicenceApplication.objects.get(pk=application.pk).assigned_officer_id is None,
        ),
        "suspend a licence": (
            reverse("licence_detail", args=[licence.pk]),
            reverse("licence_transition", args=[licence.pk, "suspend"]),
            {"suspend-reason": "Diversion suspected"},
            lambda: Licence.objects.get(pk=licence.pk).status == "active",
        ),
        "comment": (
            reverse("transaction_detail", args=[record.pk]),
            reverse("comment_add", args=["transaction", record.pk]),
            {"text": "Checked the end use."},
            lambda: Event.objects.filter(verb="comment").count() == comments,
        ),
        "attach evidence": (
            reverse("person_detail", args=[person.pk]),
            reverse("person_evidence_add", args=[person.pk]),
            {"evidence-kind": "passport", "evidence-file": SimpleUploadedFile("p.pdf", PDF)},
            lambda: not EvidenceDocument.objects.exists(),
        ),
    }
    if user.role in ("reviewer", "admin"):
        own = _own_draft(user)
        table["approve own work"] = (
            reverse("determination_detail", args=[own.pk]),
            reverse("determination_transition", args=[own.pk, "approve"]),
            ATTESTED,
            lambda: ForeignPersonDetermination.objects.get(pk=own.pk).status == "in_review",
        )
    return table


WRITES = {
    "create customer",
    "record a transaction",
    "approve a determination",
    "approve an application for filing",
    "assign applications",
    "suspend a licence",
    "attach evidence",
}
FORBIDDEN = {
    "officer": {
        "approve a determination",
        "approve an application for filing",
        "assign applications",
        "suspend a licence",
    },
    "reviewer": {"approve own work"},
    "admin_user": {"approve own work"},
    "legal": WRITES,
    "auditor": WRITES | {"comment"},
}


@pytest.mark.parametrize("persona", sorted(FORBIDDEN))
def test_a_role_sees_only_its_actions_and_is_refused_the_rest(client, case, persona, request):
    user = request.getfixturevalue(persona)
    table = actions(case, user)
    client.force_login(user)
    for name, (page, marker, data, unchanged) in table.items():
        html = client.get(page).content.decode()
        if name in FORBIDDEN[persona]:
            assert marker not in html, f"{persona} is offered {name} on {page}"
            response = client.post(marker, data)
            assert response.status_code == 403, f"{persona} posting {name} got {response.status_code}"
            assert unchanged(), f"{persona}'s refused {name} changed something"
        else:
            assert marker in html, f"{persona} is not offered {name} on {page}"


def test_an_account_without_a_role_sees_nothing_and_may_do_nothing(client, case, outsider):
    table = actions(case, outsider)
    client.force_login(outsider)
    for page in ("/", reverse("customer_list"), reverse("application_detail", args=[case["application"].pk])):
        response = client.get(page)
        assert response.status_code == 403
        assert "no role" in response.content.decode() or "may not" in response.content.decode()
    for name, (_, marker, data, unchanged) in table.items():
        assert client.post(marker, data).status_code == 403, name
        assert unchanged(), name


def test_a_signed_out_visitor_is_sent_to_sign_in(client, case):
    response = client.get(reverse("application_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("customer_create"), {"external_id": "X"})
    assert response.status_code == 302 and not Customer.objects.filter(external_id="X").exists()


def test_personal_evidence_and_dates_of_birth_stay_with_compliance_roles(client, case, officer, legal):
    person = case["researcher"]
    person.date_of_birth = timezone.localdate().replace(year=1994)
    person.save(update_fields=["date_of_birth"])
    client.force_login(officer)
    upload = SimpleUploadedFile("passport.pdf", PDF)
    response = client.post(
        reverse("person_evidence_add", args=[person.pk]), {"evidence-kind": "passport", "evidence-file": upload}
    )
    assert response.status_code == 302
    document = EvidenceDocument.objects.get()
    download = reverse("person_evidence_download", args=[person.pk, document.pk])
    assert b"".join(client.get(download).streaming_content).startswith(b"%PDF")
    assert "Date of birth" in client.get(reverse("person_detail", args=[person.pk])).content.decode()

    client.force_login(legal)
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Date of birth" not in page and download not in page and "Evidence documents" not in page
    assert client.get(download).status_code == 403
