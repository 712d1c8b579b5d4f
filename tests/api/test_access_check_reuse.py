"""The access check reuses an answer only while the decision stamp of its facts is unchanged."""

import re

import pytest
from django.db import connection
from django.db import transaction as db_transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing.api.access import ANSWERS
from licensing.cases import facts
from licensing.cases.models import Decision, DecisionStamp
from licensing.cases.services.licences import change_licence_status
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status
from licensing.reference.models import CountryGroupMembership, LicenceRequirement
from licensing.screening.models import Hit, ListEntry, ListVersion, SubjectScreening

from ..factories import CustomerFactory, PersonFactory, add_status

URL = "/api/v1/access-check"


def check(client, customer, **params):
    return client.get(URL, {"customer": customer.external_id, "item": "frontier-1", **params}).json()


def statements(queries) -> list[str]:
    """The prepared statements a check executed, by name (each is prepared once per connection, first)."""
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("PREPARE ")]
    return [re.match(r"(?:EXECUTE (\w+))?", text).group(1) or text for text in sql]


def stamp_of(customer) -> int | None:
    stamp = DecisionStamp.objects.filter(customer_id=customer.pk).first()
    return stamp.version if stamp else None


def reference_stamp() -> int:
    return DecisionStamp.objects.get(customer_id=DecisionStamp.REFERENCE_DATA).version


def test_a_repeated_check_reads_only_the_stamp_and_gives_the_same_answer(billing, cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    check(billing, customer)  # the token's last use is recorded once a minute; let that happen first
    ANSWERS.clear()

    with CaptureQueriesContext(connection) as first:
        decided = check(billing, customer)
    with CaptureQueriesContext(connection) as second:
        reused = check(billing, customer)

    assert statements(first) == ["exportdesk_decision_facts_with_client"]
    assert statements(second) == ["exportdesk_decision_stamp_with_client"]
    assert decided["allowed"] is True
    assert {k: v for k, v in reused.items() if k != "checked_at"} == {
        k: v for k, v in decided.items() if k != "checked_at"
    }
    assert reused["checked_at"] > decided["checked_at"]


def test_a_changed_stamp_reads_the_facts_again(billing, cases, reviewer, letter_covering_many):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    assert check(billing, customer)["allowed"] is True
    before = stamp_of(customer)

    change_licence_status(actor=reviewer, licence=licence, action="revoke", reason="BIS revoked it (750.8).")
    with CaptureQueriesContext(connection) as after_revocation:
        data = check(billing, customer)

    assert stamp_of(customer) != before
    assert statements(after_revocation) == [
        "exportdesk_decision_stamp_with_client",
        "exportdesk_decision_facts_with_client",
    ]
    assert (data["allowed"], data["decision"]) == (False, Decision.LICENCE_REQUIRED)


def test_a_rolled_back_change_leaves_no_answer_behind(billing, cases, reviewer, letter_covering_many):
    customer = cases.foreign_customer("DE")
    licence = cases.licence_for(customer)
    assert check(billing, customer)["allowed"] is True

    with db_transaction.atomic():
        change_licence_status(actor=reviewer, licence=licence, action="revoke", reason="Drafted in error.")
        assert check(billing, customer)["allowed"] is False
        db_transaction.set_rollback(True)

    # The refusal was remembered under a stamp that no longer exists: versions are never reused.
    assert check(billing, customer)["allowed"] is True


def test_every_table_the_decision_reads_is_stamped_by_the_database(db):
    # Any table a branch of the facts statement reads must change a stamp when
    # written, or an answer could outlive the facts it came from. Branches about
    # a transaction's own parties are read only when deciding a transaction,
    # and those decisions are never reused.
    branches = facts._statement(None).sql.split("UNION ALL")
    read = {
        table
        for branch in branches
        if "%(transaction)s" not in branch
        for table in re.findall(r"(?:FROM|JOIN) (\w+)", branch)
    } - {"c", "p", "i", "owners", "cases_decisionstamp"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'exportdesk_stamp_%%' AND NOT t.tgisinternal"
        )
        triggers = set(cursor.fetchall())

    assert len(read) >= 14
    assert {table for table in read if (table, f"exportdesk_stamp_{table}") not in triggers} == set()


def test_each_kind_of_write_a_decision_reads_changes_the_customers_stamp(cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    person = PersonFactory(customer=customer)
    add_status(person, "citizenship", "IN", "1990-01-01")
    seen = [stamp_of(customer)]

    def changes(write):
        write()
        seen.append(stamp_of(customer))
        return seen[-1] != seen[-2]

    # (A licence first: once a list is in force, an unscreened customer is held.)
    assert changes(lambda: cases.licence_for(customer))
    version = ListVersion.objects.create(
        feed="csl", status=ListVersion.Status.IN_FORCE, published_on="2026-11-01", source="test", digest="0" * 64
    )
    entry = ListEntry.objects.create(
        version=version, key="el-1", fingerprint="f", source="Entity List", name="Acme Front", list_code="EL"
    )
    assert changes(lambda: Customer.objects.filter(pk=customer.pk).update(status_reason="Reviewed"))
    assert changes(lambda: PersonFactory(customer=customer))
    assert changes(lambda: cases.determined(person))  # a determination about one of its persons
    assert changes(lambda: SubjectScreening.objects.create(person=person, screened_at=timezone.now()))
    assert changes(
        lambda: Hit.objects.create(
            person=person,
            entry=entry,
            entry_key="el-1",
            score=0.9,
            subject_name="A",
            first_matched_at=timezone.now(),
            last_matched_at=timezone.now(),
        )
    )
    assert changes(lambda: Hit.objects.filter(person=person).update(status=Hit.Status.CLEARED))
    assert len(set(seen)) == len(seen)


def test_a_change_to_reference_data_changes_the_reference_stamp(db, item):
    seen = [reference_stamp()]
    requirement = LicenceRequirement.objects.create(
        title="Letter", issued_on="2026-01-01", legal_basis="744", activities=["export"], effective_from="2026-01-01"
    )
    seen.append(reference_stamp())
    requirement.items.add(item)
    seen.append(reference_stamp())
    CountryGroupMembership.objects.filter(country_id="DE").update(effective_until="2099-01-01")
    seen.append(reference_stamp())

    assert len(set(seen)) == len(seen)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_request_is_seen_on_the_very_next_check(billing, cases, officer):
    # No test transaction here: the stamp is written when the change commits, as in production.
    from ..factories import letter

    letter(cases.item, per_transaction=False)
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    assert check(billing, customer)["allowed"] is True
    assert check(billing, customer)["allowed"] is True  # reused

    set_customer_status(actor=officer, customer=customer, status=Customer.Status.BLOCKED, reason="Denied party")

    data = check(billing, customer)
    assert (data["allowed"], data["decision"]) == (False, Decision.REFUSED)


def test_a_customer_nobody_has_stamped_is_decided_afresh_every_time(billing, cases, letter_covering_many):
    customer = cases.foreign_customer("DE")
    cases.licence_for(customer)
    check(billing, customer)  # the token's last use is recorded once a minute; let that happen first
    DecisionStamp.objects.filter(customer_id=customer.pk).delete()
    ANSWERS.clear()

    with CaptureQueriesContext(connection) as first:
        check(billing, customer)
    with CaptureQueriesContext(connection) as second:
        check(billing, customer)

    assert statements(first) == statements(second) == ["exportdesk_decision_facts_with_client"]


def test_an_unknown_customer_is_never_remembered(billing, db):
    ghost = CustomerFactory.build(external_id="GHOST-1")
    ANSWERS.clear()

    assert billing.get(URL, {"customer": ghost.external_id, "item": "frontier-1"}).status_code == 404
    assert billing.get(URL, {"customer": ghost.external_id, "item": "frontier-1"}).status_code == 404
    assert len(ANSWERS) == 0


def test_the_facts_statement_is_planned_once_for_any_customer(billing, cases, letter_covering_many):
    customers = [cases.foreign_customer(country) for country in ("DE", "FR", "JP", "GB", "IN", "BR", "CA")]
    for customer in customers:
        cases.licence_for(customer)
    ANSWERS.clear()

    answers = [check(billing, customer) for customer in customers]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            ["exportdesk_decision_facts_with_client"],
        )
        generic, custom = cursor.fetchone()
    assert all(answer["allowed"] for answer in answers)
    assert (generic >= len(customers), custom) == (True, 0)
