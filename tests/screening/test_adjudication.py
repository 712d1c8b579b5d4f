"""Adjudicating hits: true match, false positive cleared by a second officer, sent back."""

import pytest
from django.core.exceptions import ValidationError

from licensing.audit.models import Event
from licensing.screening.models import Hit
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.screening.services.screening import screen_subject
from licensing.workflow.machine import ActorNotAllowed, IllegalTransition, ReasonRequired

from ..factories import CustomerFactory
from .conftest import DENIED_COMPANY


@pytest.fixture
def hit(listed):
    customer = CustomerFactory(legal_name="Antasena Kreasi PT", country_of_incorporation_id="ID")
    screen_subject(customer)
    return Hit.objects.get(customer=customer)


def test_an_officer_confirms_a_true_match_with_a_reason(hit, officer):
    confirmed = adjudicate_hit(actor=officer, hit=hit, outcome="true_match", reason="Same Jakarta address as the order")
    assert confirmed.status == Hit.Status.CONFIRMED
    assert (confirmed.adjudicated_by, confirmed.adjudication_reason) == (officer, "Same Jakarta address as the order")
    assert confirmed.adjudicated_fingerprint == hit.entry.fingerprint
    event = Event.objects.get(verb="screening.hit.confirm_match", target_id=str(hit.pk))
    assert (event.actor, event.reason) == (officer, "Same Jakarta address as the order")


def test_a_true_match_needs_a_reason(hit, officer):
    with pytest.raises(ReasonRequired):
        adjudicate_hit(actor=officer, hit=hit, outcome="true_match", reason="  ")
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN


def test_a_false_positive_is_cleared_by_a_second_officer(hit, officer, officer2):
    proposed = adjudicate_hit(actor=officer, hit=hit, outcome="false_positive", reason="Different company in Bandung")
    assert proposed.status == Hit.Status.CLEARING
    cleared = adjudicate_hit(actor=officer2, hit=proposed, outcome="clear")
    assert cleared.status == Hit.Status.CLEARED
    assert (cleared.proposed_by, cleared.adjudicated_by) == (officer, officer2)
    assert cleared.adjudication_reason == "Different company in Bandung"


def test_the_officer_who_proposed_a_false_positive_cannot_clear_it(hit, officer):
    proposed = adjudicate_hit(actor=officer, hit=hit, outcome="false_positive", reason="Different company")
    with pytest.raises(ActorNotAllowed, match="a second person must do it"):
        adjudicate_hit(actor=officer, hit=proposed, outcome="clear")
    proposed.refresh_from_db()
    assert proposed.status == Hit.Status.CLEARING


def test_a_second_officer_may_send_a_proposal_back(hit, officer, reviewer):
    proposed = adjudicate_hit(actor=officer, hit=hit, outcome="false_positive", reason="Different company")
    back = adjudicate_hit(actor=reviewer, hit=proposed, outcome="send_back", reason="The addresses match")
    assert back.status == Hit.Status.OPEN
    assert back.proposed_by is None


@pytest.mark.parametrize("persona", ["legal", "auditor", "outsider"])
def test_roles_outside_compliance_cannot_adjudicate(hit, persona, request):
    with pytest.raises(ActorNotAllowed):
        adjudicate_hit(actor=request.getfixturevalue(persona), hit=hit, outcome="true_match", reason="Looks right")


def test_a_confirmed_hit_cannot_be_cleared(hit, officer, officer2):
    confirmed = adjudicate_hit(actor=officer, hit=hit, outcome="true_match", reason="Same company")
    with pytest.raises(IllegalTransition):
        adjudicate_hit(actor=officer2, hit=confirmed, outcome="clear")


def test_an_unknown_outcome_is_refused_naming_the_field(hit, officer):
    with pytest.raises(ValidationError) as refused:
        adjudicate_hit(actor=officer, hit=hit, outcome="maybe", reason="?")
    assert "outcome" in refused.value.message_dict


def test_the_hit_names_the_entry_it_matched(hit):
    assert hit.entry.name == DENIED_COMPANY
