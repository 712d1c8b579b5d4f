"""The simulator on a small book: what a relaxation would change, counted by country, written nowhere."""

import dataclasses
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing.cases.decision import Request, decide
from licensing.cases.models import Decision, DecisionStamp, LicenceApplication, Transaction
from licensing.cases.party_facts import load_party_facts
from licensing.policy import services
from licensing.policy.models import RuleChange, Simulation
from licensing.policy.simulator import SharedFacts, decide_both, draft_rows, with_draft
from licensing.reference.models import Activity, LicenceRequirement, RequirementRelaxation
from tests.factories import CustomerFactory, letter
from tests.factories import transaction as post_transaction

from .test_rule_changes import relax_a1


@pytest.fixture
def letter_covering_many(today, item):
    """A letter whose licences cover more than one transaction, so a licence can cover the access check too."""
    return letter(item, effective_from=today - datetime.timedelta(days=365), per_transaction=False)


@pytest.fixture
def book(cases, item, django_capture_on_commit_callbacks):
    """Two German customers (A:1), one waiting on an application and one licensed; a Chinese one waiting."""
    waiting = cases.foreign_customer("DE", external_id="DE-WAITING")
    licensed = cases.foreign_customer("DE", external_id="DE-LICENSED")
    chinese = cases.foreign_customer("CN", external_id="CN-WAITING")
    # The issued licence's transaction is decided again (its reaction), as in production.
    with django_capture_on_commit_callbacks(execute=True):
        licence = cases.licence_for(licensed)
    return {
        "waiting": post_transaction(waiting, item, external_id="TX-DE"),
        "chinese": post_transaction(chinese, item, external_id="TX-CN"),
        "licence": licence,
    }


def simulate(admin, change, capture) -> Simulation:
    with capture(execute=True):
        services.request_simulation(actor=admin, change=change)
    return Simulation.objects.get(change=change)


def test_a_relaxation_for_a1_releases_the_german_book_and_leaves_the_chinese_one(
    admin_user, letter_covering_many, book, django_capture_on_commit_callbacks
):
    assert book["waiting"].decision == Decision.LICENCE_REQUIRED
    change = relax_a1(admin_user, letter_covering_many)

    simulation = simulate(admin_user, change, django_capture_on_commit_callbacks)

    totals = simulation.results["totals"]
    # Three customers asked about the item, and the two transactions waiting on a licence.
    assert (totals["subjects"], totals["changed"], totals["released"]) == (5, 3, 2)
    assert (totals["newly_refused"], totals["newly_held"], totals["newly_licence_required"]) == (0, 0, 0)
    assert totals["licences_unnecessary"] == 1
    assert simulation.results["licences"] == [book["licence"].pk]
    assert totals["applications_withdrawable"] == 1
    assert simulation.results["applications"] == [LicenceApplication.objects.get(transaction=book["waiting"]).pk]
    by_country = simulation.results["by_country"]
    assert (by_country["DE"]["subjects"], by_country["DE"]["released"]) == (3, 2)
    assert (by_country["CN"]["subjects"], by_country["CN"]["changed"]) == (2, 0)
    assert {row["subject"] for row in simulation.differences} == {
        "TX-DE",
        "DE-WAITING × frontier-1",
        "DE-LICENSED × frontier-1",
    }
    assert (simulation.subjects_done, simulation.subjects_total, simulation.percent_done) == (5, 5, 100)


def test_a_new_requirement_for_d1_would_hold_back_the_chinese_customer(
    admin_user, letter_covering_many, book, item, django_capture_on_commit_callbacks
):
    letter_covering_many.items.clear()
    change = services.draft_change(
        actor=admin_user,
        kind=RuleChange.Kind.ADD_REQUIREMENT,
        item_id=item.pk,
        title="D:1 letter",
        legal_basis="15 CFR 744.21(b)",
        scope=LicenceRequirement.Scope.COUNTRY_GROUPS,
        country_group_id="D:1",
        activities=["export"],
        reason="A new letter for D:1.",
    )

    totals = simulate(admin_user, change, django_capture_on_commit_callbacks).results["totals"]

    # The Chinese customer's access check and its waiting transaction; nothing German.
    assert totals["newly_licence_required"] == 2
    assert (totals["released"], totals["changed"]) == (0, 2)


def test_the_simulation_writes_nothing_a_decision_reads(
    admin_user, letter_covering_many, book, django_capture_on_commit_callbacks
):
    change = relax_a1(admin_user, letter_covering_many)
    stamps = list(DecisionStamp.objects.order_by("customer_id").values_list("customer_id", "version"))
    decisions = list(Transaction.objects.order_by("pk").values_list("pk", "decision", "decided_at"))

    with CaptureQueriesContext(connection) as queries:
        simulate(admin_user, change, django_capture_on_commit_callbacks)

    written = {
        match.group(2)
        for query in queries.captured_queries
        if (match := re.match(r'^\s*(INSERT INTO|UPDATE|DELETE FROM) "?(\w+)"?', query["sql"]))
    }
    assert written <= {"policy_simulation", "policy_rulechange", "audit_event", "outbox_outboxmessage"}
    assert not RequirementRelaxation.objects.exists()
    assert list(DecisionStamp.objects.order_by("customer_id").values_list("customer_id", "version")) == stamps
    assert list(Transaction.objects.order_by("pk").values_list("pk", "decision", "decided_at")) == decisions


def test_the_draft_s_rows_are_added_to_the_facts_in_memory_only(admin_user, letter_covering_many, today):
    change = relax_a1(admin_user, letter_covering_many)

    draft = draft_rows(change, today)

    assert draft.relaxation.pk is None
    assert (draft.relaxation.kind, draft.relaxation.country_group_id, draft.relaxation.change_number) == (
        RequirementRelaxation.Kind.COUNTRY_GROUP,
        "A:1",
        change.pk,
    )


def test_asking_the_earlier_rules_once_gives_what_two_whole_decisions_give(
    admin_user, letter_covering_many, book, cases, item, today
):
    held = cases.foreign_customer("DE", external_id="DE-BLOCKED", status="blocked", status_reason="Unpaid")
    change = relax_a1(admin_user, letter_covering_many)
    draft = draft_rows(change, today)
    records = [book["waiting"], book["chinese"], post_transaction(held, item, external_id="TX-BLOCKED")]

    for record in records:
        request = Request.for_transaction(record)
        facts = SharedFacts(today).own(request)

        assert decide_both(request, facts, draft) == (decide(request, facts), decide(request, with_draft(facts, draft)))


def test_a_transaction_s_facts_are_its_question_s_with_its_application_parties_added(
    letter_covering_many, book, cases, item, today
):
    held = post_transaction(CustomerFactory(country_of_incorporation_id="FR"), item, external_id="TX-HELD")
    records = [book["waiting"], book["chinese"], held]
    parties = load_party_facts([record.pk for record in records])
    facts = SharedFacts(today)

    for record in records:
        request = Request.for_transaction(record)
        assert parties.for_transaction(facts.shared(request), record.pk) == facts.own(request)
    assert len(parties.parties[book["waiting"].pk]) == 3
    assert held.pk not in parties.parties


def test_a_relaxation_for_a1_can_alter_only_releases_to_a1_or_deemed_ones(
    admin_user, letter_covering_many, book, item, today
):
    draft = draft_rows(relax_a1(admin_user, letter_covering_many), today)
    chinese = Request.for_transaction(book["chinese"])

    assert draft.may_alter(Request.for_transaction(book["waiting"]))
    assert not draft.may_alter(chinese)
    # A deemed release goes where its recipient is attributed, which only the facts tell.
    assert draft.may_alter(dataclasses.replace(chinese, activity=Activity.DEEMED_EXPORT))
