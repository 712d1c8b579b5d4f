"""Approving a determination under the attestation shown: its version is recorded; other words are refused."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from licensing.audit.models import Event
from licensing.determinations import services
from licensing.determinations.attestation import APPROVAL_ATTESTATION, APPROVAL_ATTESTATION_VERSION
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import StatusRecord

from ..factories import PersonFactory, add_status

Status = ForeignPersonDetermination.Status


@pytest.fixture
def in_review(today, officer):
    person = PersonFactory()
    add_status(person, StatusRecord.Kind.CITIZENSHIP, "IN", "1991-04-02")
    draft = services.prepare_determination(actor=officer, subject=person, effective_on=today)
    return services.submit_determination(actor=officer, determination=draft)


def test_the_approval_event_records_the_attestation_version_shown(in_review, reviewer):
    services.approve_determination(
        actor=reviewer, determination=in_review, attestation_version=APPROVAL_ATTESTATION_VERSION
    )

    event = Event.objects.for_target(in_review).get(verb="determination.approve")
    assert event.after == {"status": Status.APPROVED, "attestation": APPROVAL_ATTESTATION_VERSION}


def test_an_approval_under_other_words_is_refused_naming_the_attestation(in_review, reviewer):
    with pytest.raises(ValidationError) as error:
        services.approve_determination(actor=reviewer, determination=in_review, attestation_version="old-words")

    assert "attestation" in error.value.message_dict
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
    assert not Event.objects.filter(verb="determination.approve").exists()


def test_the_page_shows_the_attestation_beside_the_approve_button(client, in_review, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("determination_detail", args=[in_review.pk])).content.decode()

    button = html.index(">Approve</button>")
    statement = html.index('id="approve-attestation"')
    assert statement < button
    assert all(line.split(",")[0] in html for line in APPROVAL_ATTESTATION)
    assert f'value="{APPROVAL_ATTESTATION_VERSION}"' in html
    assert "Evidence it rests on" in html and "India" in html


def test_a_post_without_the_attestation_approves_nothing(client, in_review, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("determination_transition", args=[in_review.pk, "approve"]))

    assert response.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


def test_a_stale_page_names_the_attestation_and_approves_nothing(client, in_review, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("determination_transition", args=[in_review.pk, "approve"]), {"approve-attestation": "old-words"}
    )

    assert response.status_code == 400 and "read it again" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
