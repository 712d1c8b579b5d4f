"""The link: signed, single-purpose, hashed, expiring, revocable, rate-limited; each view and refusal recorded."""

import datetime

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from licensing.attestations.links import hash_secret, sign_link
from licensing.attestations.models import Attestation, RefusedLink
from licensing.attestations.services import access
from licensing.attestations.services.sending import revoke_attestation, send_attestation
from licensing.audit.models import Event

from .mailbox import last_link

pytestmark = pytest.mark.django_db


def verbs(target):
    return list(Event.objects.for_target(target).order_by("pk").values_list("verb", flat=True))


def test_sending_mails_a_link_and_keeps_only_a_hash_of_its_secret(officer, seat):
    attestation = send_attestation(actor=officer, subject=seat)

    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    value = mail.outbox[0].body.split("/attest/")[1].split("/")[0]
    secret = signing.loads(value, salt="licensing.attestations.link:foreign_person_status")["s"]
    assert attestation.token_hash == hash_secret(secret) != secret
    assert secret not in str(Attestation.objects.filter(pk=attestation.pk).values().get())
    assert verbs(attestation) == ["attestation.sent"]


def test_the_link_opens_the_form_without_signing_in_and_each_view_is_an_event(client, sent):
    attestation, link = sent

    first = client.get(link)
    second = client.get(link)

    assert first.status_code == second.status_code == 200
    assert b"Citizenship 1" in first.content
    attestation.refresh_from_db()
    assert (attestation.status, attestation.views) == (Attestation.Status.VIEWED, 2)
    assert verbs(attestation) == ["attestation.sent", "attestation.viewed", "attestation.viewed"]


def test_an_entity_is_asked_about_incorporation_and_owners(client, officer, unknown_entity):
    send_attestation(actor=officer, subject=unknown_entity)
    page = client.get(last_link())
    assert page.status_code == 200
    assert b"Country of incorporation" in page.content and b"Owner 1 of 25% or more" in page.content
    assert b"Citizenship 1" not in page.content


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:],
        lambda link: "/attest/" + "x" * 40 + "/",
        lambda link: link.replace("/attest/", "/attest/a"),
    ],
    ids=["changed signature", "made up", "changed payload"],
)
def test_a_tampered_link_gets_a_plain_404_and_the_attempt_is_recorded(client, sent, tamper):
    attestation, link = sent

    response = client.get(tamper(link))

    assert response.status_code == 404
    assert b"This link is not valid" in response.content
    attempt = RefusedLink.objects.get()
    assert attempt.reason == RefusedLink.Reason.TAMPERED
    assert Event.objects.filter(verb="attestation.link_refused", after__reason="tampered").count() == 1
    attestation.refresh_from_db()
    assert attestation.views == 0


def test_a_link_signed_for_another_purpose_is_refused(client, sent):
    attestation, _ = sent
    value = signing.dumps({"a": attestation.pk, "s": "whatever"}, salt="licensing.accounts.sign_in")
    assert client.get(f"/attest/{value}/").status_code == 404


def test_a_genuine_signature_with_a_wrong_secret_is_refused(client, sent):
    attestation, _ = sent
    forged = sign_link(attestation_id=attestation.pk, secret="guessed", purpose=attestation.purpose)
    response = client.get(f"/attest/{forged}/")
    assert response.status_code == 410
    assert RefusedLink.objects.get().attestation == attestation


def test_an_expired_link_says_so_and_the_attestation_is_recorded_expired(client, sent):
    attestation, link = sent
    Attestation.objects.filter(pk=attestation.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(link)

    assert response.status_code == 410
    assert b"expired" in response.content
    attestation.refresh_from_db()
    assert attestation.status == Attestation.Status.EXPIRED
    assert verbs(attestation)[-2:] == ["attestation.expired", "attestation.link_refused"]


def test_a_link_older_than_any_link_lives_is_refused_by_its_signature(client, sent, settings):
    settings.ATTESTATION_LINK_DAYS = -1
    _, link = sent
    assert client.get(link).status_code == 410
    assert RefusedLink.objects.get().reason == RefusedLink.Reason.EXPIRED


def test_an_officer_revokes_a_link_with_a_reason_and_it_stops_opening(client, officer, sent):
    attestation, link = sent
    with pytest.raises(ValidationError):
        revoke_attestation(actor=officer, attestation=attestation, reason=" ")

    revoke_attestation(actor=officer, attestation=attestation, reason="Wrong contact")

    response = client.get(link)
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    assert verbs(attestation)[-2:] == ["attestation.revoked", "attestation.link_refused"]


def test_only_a_compliance_role_revokes(auditor, sent):
    attestation, _ = sent
    with pytest.raises(PermissionDenied):
        revoke_attestation(actor=auditor, attestation=attestation, reason="No")
    attestation.refresh_from_db()
    assert attestation.is_open


def test_a_second_link_is_refused_while_one_is_open(officer, sent, seat):
    with pytest.raises(ValidationError, match="already has an open link"):
        send_attestation(actor=officer, subject=seat)
    assert Attestation.objects.count() == 1


def test_a_subject_without_an_address_needs_one_given(officer, us_employer):
    with pytest.raises(ValidationError, match="no contact e-mail"):
        send_attestation(actor=officer, subject=us_employer)
    attestation = send_attestation(actor=officer, subject=us_employer, contact_email="legal@example.com")
    assert attestation.contact_email == "legal@example.com"


def test_views_past_the_link_limit_are_refused_and_the_flood_recorded_once(client, sent, monkeypatch):
    monkeypatch.setattr(access, "LINK_LIMIT", 3)
    attestation, link = sent

    statuses = [client.get(link).status_code for _ in range(6)]

    assert statuses == [200, 200, 200, 429, 429, 429]
    assert RefusedLink.objects.filter(reason=RefusedLink.Reason.TOO_MANY).count() == 1
    attestation.refresh_from_db()
    assert attestation.views == 3


def test_views_past_the_address_limit_are_refused_whatever_the_link(client, sent, monkeypatch):
    monkeypatch.setattr(access, "ADDRESS_LIMIT", 2)
    statuses = [client.get(f"/attest/nonsense{i}/").status_code for i in range(4)]
    assert statuses == [404, 404, 429, 429]
