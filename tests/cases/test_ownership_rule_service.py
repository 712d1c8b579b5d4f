"""The ownership rule on the database: its periods, suspending and resuming it, and the stamps it moves."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.audit.models import Event
from licensing.cases.models import Decision, DecisionStamp, OwnershipRulePeriod
from licensing.cases.replay import replay_decision
from licensing.cases.services.ownership_rule import (
    redecide_if_the_rule_changed_today,
    resume_ownership_rule,
    suspend_ownership_rule,
)
from licensing.cases.services.transactions import decide_transaction
from licensing.parties.models import Ownership
from licensing.parties.services import record_ownership
from licensing.screening.models import Hit, ListEntry, ListVersion, SubjectScreening
from licensing.screening.services.adjudication import adjudicate_hit
from licensing.screening.subjects import customer_fingerprint

from ..factories import CustomerFactory, approved_determination, letter, transaction


def screened(customer) -> None:
    SubjectScreening.objects.create(
        customer=customer,
        screened_at=timezone.now(),
        fingerprint=customer_fingerprint(customer, list(customer.addresses.all())),
    )


@pytest.fixture
def entity_list(db):
    version = ListVersion.objects.create(
        feed="csl", status=ListVersion.Status.IN_FORCE, published_on="2026-11-01", source="test", digest="0" * 64
    )
    return ListEntry.objects.create(
        version=version,
        key="el-hebei",
        fingerprint="f",
        source="Entity List (EL) - Bureau of Industry and Security",
        name="Hebei Front Co.",
        list_code="EL",
        license_requirement="For all items subject to the EAR",
        license_policy="Presumption of denial",
    )


def listed(customer, entry, status=Hit.Status.CONFIRMED) -> Hit:
    return Hit.objects.create(
        customer=customer,
        entry=entry,
        entry_key=entry.key,
        status=status,
        score=0.99,
        subject_name=customer.legal_name,
        matched_name=entry.name,
        reasons=["Same name"],
        first_matched_at=timezone.now() - datetime.timedelta(days=10),
        last_matched_at=timezone.now(),
    )


@pytest.fixture
def subsidiary(reference_data, officer, reviewer, today, entity_list):
    """A German customer, determined and screened, owned 60% by a customer, itself screened."""
    customer = CustomerFactory(country_of_incorporation_id="DE", legal_name="Rheinland Subsidiary GmbH")
    owner = CustomerFactory(country_of_incorporation_id="CN", legal_name="Hebei Front Co.")
    approved_determination(
        customer, preparer=officer, reviewer=reviewer, effective_on=today - datetime.timedelta(days=30)
    )
    screened(customer)
    screened(owner)
    record_ownership(
        actor=officer, owned=customer, owner=owner, percentage=Decimal("60"), verified_on=today, source="Registry"
    )
    return customer, owner


def stamp_of(customer) -> int | None:
    found = DecisionStamp.objects.filter(customer_id=customer.pk).first()
    return found.version if found else None


def test_an_administrator_suspends_and_resumes_the_rule_as_dated_periods_with_events(admin_user, today):
    resumed = resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")
    suspended = suspend_ownership_rule(
        actor=admin_user, effective_from=today + datetime.timedelta(days=7), reason="Suspended for one year"
    )

    assert [p.status for p in OwnershipRulePeriod.objects.governing_on(today)] == ["in_force"]
    assert OwnershipRulePeriod.objects.governing_on(today + datetime.timedelta(days=7)).first() == suspended
    verbs = Event.objects.filter(verb__startswith="ownership_rule.").order_by("sequence")
    assert [(e.verb, e.target_id) for e in verbs] == [
        ("ownership_rule.resumed", str(resumed.pk)),
        ("ownership_rule.suspended", str(suspended.pk)),
    ]


def test_only_an_administrator_may_and_never_from_a_past_day_or_without_a_reason(officer, admin_user, today):
    with pytest.raises(PermissionDenied):
        suspend_ownership_rule(actor=officer, effective_from=today, reason="No")
    with pytest.raises(ValidationError) as past:
        suspend_ownership_rule(actor=admin_user, effective_from=today - datetime.timedelta(days=1), reason="Late")
    with pytest.raises(ValidationError) as unexplained:
        resume_ownership_rule(actor=admin_user, effective_from=today, reason="  ")

    assert "effective_from" in past.value.message_dict
    assert "reason" in unexplained.value.message_dict
    assert not OwnershipRulePeriod.objects.exists()


def test_a_listed_owner_s_share_requires_a_licence_and_suspending_releases_it(
    subsidiary, entity_list, admin_user, item, today, django_capture_on_commit_callbacks
):
    customer, owner = subsidiary
    listed(owner, entity_list)
    resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")

    record = transaction(customer, item)
    assert record.decision == Decision.LICENCE_REQUIRED
    assert record.decision_reasons[0].startswith(
        "Owned 60% in aggregate by listed parties: Hebei Front Co. (60%, Entity List (EL) entry Hebei Front Co."
    )

    with django_capture_on_commit_callbacks(execute=True):
        suspend_ownership_rule(actor=admin_user, effective_from=today, reason="Suspended for one year")
    record.refresh_from_db()

    assert record.decision == Decision.AUTHORISED
    # Decided under the rule, the first decision replays under it, though the rule is suspended now.
    assert replay_decision(record, at=record.decided_at - datetime.timedelta(microseconds=1)).matches is True


def test_an_owner_s_hits_and_ownership_edges_change_the_owned_customer_s_stamp(subsidiary, entity_list, officer, today):
    customer, owner = subsidiary
    grandparent = CustomerFactory(country_of_incorporation_id="CN")
    seen = [stamp_of(customer)]

    def changes(write):
        write()
        seen.append(stamp_of(customer))
        return seen[-1] != seen[-2]

    hit = None

    def open_hit():
        nonlocal hit
        hit = listed(owner, entity_list, status=Hit.Status.OPEN)

    assert changes(open_hit)
    assert changes(lambda: Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.CONFIRMED))
    assert changes(lambda: Ownership.objects.filter(owned=customer).update(percentage=Decimal("45")))
    # A grand-owner two levels up: its edge and its hits reach the customer too.
    assert changes(
        lambda: record_ownership(
            actor=officer, owned=owner, owner=grandparent, percentage=Decimal("70"), verified_on=today, source="Filing"
        )
    )
    assert changes(lambda: listed(grandparent, entity_list))
    assert changes(lambda: Ownership.objects.filter(owned=customer).delete())
    assert len(set(seen)) == len(seen)


def test_a_remembered_access_check_answer_does_not_outlive_an_owner_s_new_listing(
    subsidiary, entity_list, admin_user, item, today
):
    customer, owner = subsidiary
    resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")
    billing = APIClient()
    billing.credentials(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='b', role=ClientRole.BILLING)[1]}"
    )

    def check():
        return billing.get("/api/v1/access-check", {"customer": customer.external_id, "item": item.code}).json()

    assert check()["allowed"] is True
    assert check()["allowed"] is True  # remembered
    hit = listed(owner, entity_list, status=Hit.Status.OPEN)
    held = check()
    Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.CONFIRMED)
    required = check()

    assert (held["allowed"], held["decision"]) == (False, Decision.HOLD)
    assert (required["allowed"], required["decision"]) == (False, Decision.LICENCE_REQUIRED)
    assert "Owned 60% in aggregate by listed parties" in " ".join(required["reasons"])


def test_an_owner_s_confirmed_listing_decides_the_owned_customer_s_waiting_transactions_again(
    subsidiary, entity_list, admin_user, officer, item, today, django_capture_on_commit_callbacks
):
    customer, owner = subsidiary
    resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")
    hit = listed(owner, entity_list, status=Hit.Status.OPEN)
    record = transaction(customer, item)
    assert record.decision == Decision.HOLD

    with django_capture_on_commit_callbacks(execute=True):
        adjudicate_hit(actor=officer, hit=hit, outcome="true_match", reason="Same registry number")
    record.refresh_from_db()

    assert record.decision == Decision.LICENCE_REQUIRED


def test_on_the_day_the_rule_starts_applying_waiting_transactions_are_decided_again(
    subsidiary, entity_list, admin_user, item, today
):
    customer, owner = subsidiary
    listed(owner, entity_list, status=Hit.Status.OPEN)
    record = transaction(customer, item)
    assert record.decision == Decision.AUTHORISED  # no period yet: the rule applies to no one
    letter(item)
    record = decide_transaction(actor=None, transaction_record=record)
    assert record.decision == Decision.LICENCE_REQUIRED
    assert redecide_if_the_rule_changed_today() == 0

    resume_ownership_rule(actor=admin_user, effective_from=today, reason="Affiliates rule in force")

    assert redecide_if_the_rule_changed_today() == 1
    record.refresh_from_db()
    assert record.decision == Decision.HOLD
    assert "awaiting adjudication" in record.decision_reasons[0]
