import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.parties.models import Customer, Ownership, Person, StatusRecord
from licensing.restoration.models import Bucket, Proposal, TriageRuleSet
from licensing.restoration.rules import DEFAULT_RULES
from licensing.restoration.services.rule_sets import activate_rule_set, save_rule_set
from licensing.restoration.services.triage import (
    NoActiveRuleSet,
    accept_proposals,
    move_proposal,
    triage_subject,
    triage_subjects,
)
from tests.factories import CustomerFactory, PersonFactory, add_status

pytestmark = pytest.mark.django_db

RULES_V1 = importlib.import_module("licensing.restoration.migrations.0002_seed_rule_set_v1").RULES_V1


@pytest.fixture
def us_customer():
    return CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")


def test_version_two_adds_not_screened_and_version_one_is_retired_unchanged():
    active = TriageRuleSet.objects.active().get()
    assert active.version == 2
    assert active.rules == DEFAULT_RULES
    assert active.rules[:3] == [{"rule": "screening_open_hit"}, {"rule": "embargoed_country"}, {"rule": "not_screened"}]
    first = TriageRuleSet.objects.get(version=1)
    assert first.status == TriageRuleSet.Status.RETIRED
    assert first.rules == RULES_V1
    assert {"rule": "not_screened"} not in first.rules


def test_triage_places_each_subject_and_cites_the_facts(us_customer):
    german = CustomerFactory(country_of_incorporation_id="DE")
    french = PersonFactory(customer=us_customer)
    add_status(french, StatusRecord.Kind.CITIZENSHIP, "FR", "1990-01-01")
    unknown = PersonFactory(customer=us_customer)

    written = triage_subjects(Customer.objects.filter(pk__in=[us_customer.pk, german.pk]), [french.pk, unknown])

    assert written == 4
    current = Proposal.objects.current()
    assert current.for_subject(us_customer).get().bucket == Bucket.RESTORABLE
    licence = current.for_subject(german).get()
    assert (licence.bucket, licence.attribution_country_id) == (Bucket.LICENCE_REQUIRED, "DE")
    assert licence.reasons == [{"rule": "foreign_incorporation", "fact": "Country of incorporation", "value": "DE"}]
    assert current.for_subject(french).get().attribution_country_id == "FR"
    assert current.for_subject(unknown).get().bucket == Bucket.NEEDS_ATTESTATION
    assert current.in_bucket(Bucket.RESTORABLE).count() == 1


def test_one_event_summarises_a_run(us_customer):
    others = [CustomerFactory() for _ in range(3)]
    before = Event.objects.count()
    triage_subjects([us_customer, *others])
    events = Event.objects.order_by("-id")[: Event.objects.count() - before]
    assert [e.verb for e in events] == ["triage.ran"]
    assert events[0].after["buckets"] == {"licence_required": 3, "restorable": 1}


def test_triage_again_on_the_same_facts_writes_nothing(us_customer):
    assert triage_subjects([us_customer]) == 1
    assert triage_subjects([us_customer]) == 0
    assert Proposal.objects.for_subject(us_customer).count() == 1


def test_changed_facts_supersede_the_proposal_and_keep_the_old_one(us_customer, officer, today):
    first = triage_subject(us_customer)
    Ownership.objects.create(
        owned=us_customer, owner_name="Overseas Fund", percentage=40, verified_on=today, source="x"
    )
    second = triage_subject(us_customer)
    assert second.pk != first.pk
    assert second.bucket == Bucket.NEEDS_ATTESTATION
    first.refresh_from_db()
    assert not first.is_current and first.superseded_at is not None


def test_no_active_rule_set_refuses_to_triage(us_customer):
    TriageRuleSet.objects.update(status=TriageRuleSet.Status.RETIRED)
    with pytest.raises(NoActiveRuleSet):
        triage_subjects([us_customer])


def test_officer_moves_a_proposal_with_a_reason(us_customer, officer):
    proposal = triage_subject(us_customer)
    moved = move_proposal(actor=officer, proposal=proposal, bucket=Bucket.NEEDS_ATTESTATION, reason="Parent is in HK")
    assert moved.is_current and moved.bucket == Bucket.NEEDS_ATTESTATION
    assert moved.rule_bucket == Bucket.RESTORABLE
    assert (moved.moved_by, moved.move_reason) == (officer, "Parent is in HK")
    event = Event.objects.filter(verb="triage.proposal_moved").get()
    assert event.before["bucket"] == "restorable" and event.reason == "Parent is in HK"
    # Unchanged facts keep the officer's move.
    assert triage_subjects([us_customer]) == 0
    assert Proposal.objects.current().for_subject(us_customer).get().pk == moved.pk


def test_a_move_without_a_reason_is_refused(us_customer, officer):
    proposal = triage_subject(us_customer)
    with pytest.raises(ValidationError) as refused:
        move_proposal(actor=officer, proposal=proposal, bucket=Bucket.REFUSED, reason="  ")
    assert "reason" in refused.value.message_dict


def test_a_replaced_proposal_cannot_be_moved(us_customer, officer):
    proposal = triage_subject(us_customer)
    move_proposal(actor=officer, proposal=proposal, bucket=Bucket.REFUSED, reason="Known front company")
    with pytest.raises(ValidationError) as refused:
        move_proposal(actor=officer, proposal=proposal, bucket=Bucket.BLOCKED, reason="again")
    assert "proposal" in refused.value.message_dict


def test_an_auditor_cannot_move_or_accept(us_customer, auditor):
    proposal = triage_subject(us_customer)
    with pytest.raises(PermissionDenied):
        move_proposal(actor=auditor, proposal=proposal, bucket=Bucket.REFUSED, reason="no")
    with pytest.raises(PermissionDenied):
        accept_proposals(actor=auditor, proposals=[proposal])


def test_accepting_marks_current_proposals_once(us_customer, officer):
    other = CustomerFactory(country_of_incorporation_id="US", headquarters_country_id="US")
    triage_subjects([us_customer, other])
    assert accept_proposals(actor=officer, proposals=Proposal.objects.current()) == 2
    assert accept_proposals(actor=officer, proposals=Proposal.objects.current()) == 0
    assert Proposal.objects.current().accepted().count() == 2
    assert Event.objects.filter(verb="triage.proposals_accepted").get().after["count"] == 2


def test_rule_sets_are_drafted_validated_and_activated(admin_user, officer):
    with pytest.raises(ValidationError) as refused:
        save_rule_set(actor=admin_user, rules=[{"rule": "owned_by_foreign", "threshold": 200}])
    assert refused.value.message_dict["rules"] == ["rules[0].threshold: must be more than 0 and at most 100"]
    with pytest.raises(PermissionDenied):
        save_rule_set(actor=officer, rules=[{"rule": "embargoed_country"}])
    draft = save_rule_set(actor=admin_user, rules=[{"rule": "owned_by_foreign", "threshold": 10}], note="stricter")
    assert (draft.version, draft.status) == (3, TriageRuleSet.Status.DRAFT)
    activate_rule_set(actor=admin_user, rule_set=draft)
    assert TriageRuleSet.objects.active().get().version == 3
    assert TriageRuleSet.objects.get(version=2).status == TriageRuleSet.Status.RETIRED
    with pytest.raises(ValidationError):
        save_rule_set(actor=admin_user, rule_set=draft, rules=[{"rule": "embargoed_country"}])


def test_an_individual_customer_is_triaged_through_its_account_holder():
    customer = CustomerFactory(kind=Customer.Kind.INDIVIDUAL, country_of_incorporation_id="US")
    holder = PersonFactory(customer=customer, relationship=Person.Relationship.ACCOUNT_HOLDER)
    add_status(holder, StatusRecord.Kind.CITIZENSHIP, "IN", "1990-01-01")
    proposal = triage_subject(customer)
    assert (proposal.bucket, proposal.attribution_country_id) == (Bucket.LICENCE_REQUIRED, "IN")


def test_a_sent_attestation_link_is_cited_while_the_subject_waits(officer):
    import datetime

    from django.utils import timezone

    from licensing.attestations.models import Attestation

    seat = PersonFactory()
    now = timezone.now()
    Attestation.objects.create(
        person=seat,
        contact_email="seat@example.com",
        token_hash="0" * 64,
        sent_by=officer,
        sent_at=now,
        last_sent_at=now,
        expires_at=now + datetime.timedelta(days=14),
    )
    proposal = triage_subject(seat)
    assert proposal.bucket == Bucket.NEEDS_ATTESTATION
    assert proposal.reasons[-1] == {"rule": "attestation", "fact": "Attestation link", "value": f"sent {now:%Y-%m-%d}"}
