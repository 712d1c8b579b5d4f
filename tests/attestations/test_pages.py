"""The officers' attestation pages: send one link, send the needs-attestation bucket, read and revoke."""

import pytest
from django.core import mail

from licensing.attestations.models import Attestation, AttestationSendRun
from licensing.restoration.services.triage import triage_subject

pytestmark = pytest.mark.django_db


def test_an_officer_sends_one_link_from_the_page(client, officer, seat):
    client.force_login(officer)
    response = client.post(f"/attestations/send/person/{seat.pk}", {"contact_email": ""})
    attestation = Attestation.objects.get()
    assert response.url == f"/attestations/{attestation.pk}/"
    assert mail.outbox[0].to == ["ana@example.com"]
    page = client.get(response.url)
    assert page.status_code == 200 and b"Revoke the link" in page.content


def test_the_bucket_waiting_for_attestation_is_sent_in_one_run(
    client, officer, seat, django_capture_on_commit_callbacks
):
    triage_subject(seat)
    client.force_login(officer)
    assert b"Send links to the 1 subject needing attestation" in client.get("/attestations/").content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/attestations/send/needs-attestation")

    run = AttestationSendRun.objects.get()
    assert response.url == f"/attestations/runs/{run.pk}/"
    run.refresh_from_db()
    assert (run.status, run.sent) == (AttestationSendRun.Status.DONE, 1)
    # Sent again, nobody in the bucket is without an open link.
    again = client.post("/attestations/send/needs-attestation", follow=True)
    assert b"already has an open link" in again.content
    assert AttestationSendRun.objects.count() == 1


def test_an_officer_revokes_from_the_page_and_an_auditor_may_not(client, officer, auditor, sent):
    attestation, _ = sent
    client.force_login(auditor)
    assert client.post(f"/attestations/{attestation.pk}/revoke", {"reason": "x"}).status_code == 403
    client.force_login(officer)
    client.post(f"/attestations/{attestation.pk}/revoke", {"reason": "Contact left the company"})
    attestation.refresh_from_db()
    assert attestation.status == Attestation.Status.REVOKED


def test_the_customer_and_person_pages_offer_the_link_to_compliance_roles_only(client, officer, auditor, seat):
    client.force_login(officer)
    assert b"E-mail an attestation link" in client.get(f"/persons/{seat.pk}/").content
    assert b"E-mail an attestation link" in client.get(f"/customers/{seat.customer_id}/").content
    client.force_login(auditor)
    assert b"E-mail an attestation link" not in client.get(f"/persons/{seat.pk}/").content
