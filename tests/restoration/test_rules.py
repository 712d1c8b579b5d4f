"""The triage rules as a table: facts in, bucket, attribution and cited facts out.

Rows follow `DEFAULT_RULES` (the version the migrations seed); no database.
"""

import datetime
from decimal import Decimal

import pytest

from licensing.restoration.buckets import Bucket
from licensing.restoration.facts import CUSTOMER, PERSON, OwnerFact, StatusFact, SubjectFacts
from licensing.restoration.rules import DEFAULT_RULES, compile_rules, rule_set_problems, triage

ON = datetime.date(2026, 6, 1)
EMBARGOED = frozenset({"IR", "KP", "CU", "SY"})


def entity(**overrides):
    fields = {"incorporated": "US", "headquarters": "US", "entity": True, "screened": True, "embargoed": EMBARGOED}
    fields.update(overrides)
    return SubjectFacts(kind=CUSTOMER, subject_id=1, label="Acme", on=ON, **fields)


def person(*statuses, **overrides):
    fields = {
        "location": "US",
        "statuses": tuple(StatusFact(k, c, datetime.date.fromisoformat(d)) for k, c, d in statuses),
        "screened": True,
    }
    fields.update(overrides)
    return SubjectFacts(kind=PERSON, subject_id=2, label="Ada", on=ON, embargoed=EMBARGOED, **fields)


CIT, PR, PROT = "citizenship", "permanent_residency", "protected_individual"

TABLE = [
    # (what, facts, bucket, attribution, rule that spoke, a fact it cites)
    (
        "open hit blocks",
        entity(open_hits=("ACME Ltd (EL)",)),
        Bucket.BLOCKED,
        None,
        "screening_open_hit",
        "ACME Ltd (EL)",
    ),
    (
        "confirmed hit blocks",
        person((CIT, "US", "1990-01-01"), confirmed_hits=("Ada (SDN)",)),
        Bucket.BLOCKED,
        None,
        "screening_open_hit",
        "Ada (SDN)",
    ),
    (
        "incorporated in Iran is refused",
        entity(incorporated="IR", headquarters="IR"),
        Bucket.REFUSED,
        "IR",
        "embargoed_country",
        "IR",
    ),
    (
        "a US entity with an address in Cuba is refused",
        entity(address_countries=("CU",)),
        Bucket.REFUSED,
        "CU",
        "embargoed_country",
        "CU",
    ),
    (
        "a Syrian citizen is refused, attributed to Syria",
        person((CIT, "SY", "1980-01-01")),
        Bucket.REFUSED,
        "SY",
        "embargoed_country",
        "SY",
    ),
    (
        "incorporated in Germany needs a licence",
        entity(incorporated="DE", headquarters="DE"),
        Bucket.LICENCE_REQUIRED,
        "DE",
        "foreign_incorporation",
        "DE",
    ),
    (
        "a US entity 30% owned from China needs attestation",
        entity(owners=(OwnerFact("Parent Co", Decimal(30), "CN"),)),
        Bucket.NEEDS_ATTESTATION,
        None,
        "owned_by_foreign",
        "Parent Co: CN",
    ),
    (
        "a US entity 25% owned by an owner of unknown country needs attestation",
        entity(owners=(OwnerFact("Fund", Decimal(25), None),)),
        Bucket.NEEDS_ATTESTATION,
        None,
        "owned_by_foreign",
        "Fund: country unknown",
    ),
    (
        "a US entity 24.99% owned from China is restorable",
        entity(owners=(OwnerFact("Parent Co", Decimal("24.99"), "CN"),)),
        Bucket.RESTORABLE,
        None,
        "us_incorporated_us_hq",
        "US",
    ),
    (
        "a US entity with US owners is restorable",
        entity(owners=(OwnerFact("US Parent", Decimal(100), "US"),)),
        Bucket.RESTORABLE,
        None,
        "us_incorporated_us_hq",
        "US",
    ),
    (
        "a US entity headquartered abroad needs attestation",
        entity(headquarters="GB"),
        Bucket.NEEDS_ATTESTATION,
        None,
        "none",
        "attestation needed",
    ),
    (
        "an entity with no incorporation recorded needs attestation",
        entity(incorporated=None, headquarters=None),
        Bucket.NEEDS_ATTESTATION,
        None,
        "none",
        "attestation needed",
    ),
    (
        "a person with nothing recorded needs attestation",
        person(),
        Bucket.NEEDS_ATTESTATION,
        None,
        "seat_citizenship_known",
        "none recorded",
    ),
    (
        "a US citizen is restorable",
        person((CIT, "US", "1990-01-01")),
        Bucket.RESTORABLE,
        None,
        "us_person_status",
        "US since 1990-01-01",
    ),
    (
        "a green-card holder from India is restorable",
        person((CIT, "IN", "1985-01-01"), (PR, "US", "2020-01-01")),
        Bucket.RESTORABLE,
        None,
        "us_person_status",
        "US since 2020-01-01",
    ),
    (
        "a protected individual is restorable",
        person((CIT, "AF", "1985-01-01"), (PROT, "US", "2022-01-01")),
        Bucket.RESTORABLE,
        None,
        "us_person_status",
        "US since 2022-01-01",
    ),
    (
        "a French citizen needs a licence, attributed to France",
        person((CIT, "FR", "1980-01-01")),
        Bucket.LICENCE_REQUIRED,
        "FR",
        "foreign_person_status",
        "FR",
    ),
    (
        "the most recent status wins: born Chinese, later Canadian resident",
        person((CIT, "CN", "1980-01-01"), (PR, "CA", "2015-05-01")),
        Bucket.LICENCE_REQUIRED,
        "CA",
        "foreign_person_status",
        "CA",
    ),
    (
        "two statuses acquired the same day need attestation",
        person((CIT, "CN", "1980-01-01"), (CIT, "GB", "1980-01-01")),
        Bucket.NEEDS_ATTESTATION,
        None,
        "foreign_person_status",
        "cannot be ordered",
    ),
    (
        "an individual customer is read through the account holder",
        entity(
            entity=False,
            incorporated="CA",
            headquarters=None,
            statuses=(StatusFact(CIT, "US", datetime.date(1970, 1, 1)),),
        ),
        Bucket.RESTORABLE,
        None,
        "us_person_status",
        "US since 1970-01-01",
    ),
]


@pytest.mark.parametrize(
    ("facts", "bucket", "attribution", "rule", "cited"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_triage_table(facts, bucket, attribution, rule, cited):
    verdict = triage(compile_rules(DEFAULT_RULES), facts)
    assert verdict.bucket == bucket
    assert verdict.attribution_country == attribution
    assert verdict.reasons[0].rule == rule
    assert any(cited in reason.value for reason in verdict.reasons)


def test_a_subject_never_screened_while_a_list_is_in_force_awaits_screening_and_is_not_restorable():
    verdict = triage(compile_rules(DEFAULT_RULES), entity(screened=False, lists_in_force=True))
    assert verdict.bucket == Bucket.AWAITING_SCREENING
    assert (verdict.reasons[0].rule, verdict.reasons[0].value) == (
        "not_screened",
        "not yet screened against the lists in force",
    )
    verdict = triage(
        compile_rules(DEFAULT_RULES), person((CIT, "US", "1990-01-01"), screened=False, lists_in_force=True)
    )
    assert verdict.bucket == Bucket.AWAITING_SCREENING


def test_a_subject_screened_under_other_names_awaits_its_screening_again():
    facts = entity(screened=False, ever_screened=True, lists_in_force=True)
    verdict = triage(compile_rules(DEFAULT_RULES), facts)
    assert verdict.bucket == Bucket.AWAITING_SCREENING
    assert verdict.reasons[0].value == "screened under other names or addresses than it has now"


def test_with_no_list_in_force_not_screened_does_not_apply():
    verdict = triage(compile_rules(DEFAULT_RULES), entity(screened=False, lists_in_force=False))
    assert verdict.bucket == Bucket.RESTORABLE


def test_a_screened_subject_passes_not_screened_to_the_rules_after_it():
    verdict = triage(compile_rules(DEFAULT_RULES), entity(screened=True, lists_in_force=True))
    assert verdict.bucket == Bucket.RESTORABLE


@pytest.mark.parametrize(
    ("facts", "bucket"),
    [
        (entity(screened=False, lists_in_force=True, open_hits=("ACME Ltd (EL)",)), Bucket.BLOCKED),
        (entity(screened=False, lists_in_force=True, incorporated="IR"), Bucket.REFUSED),
    ],
    ids=["a hit blocks first", "an E:1/E:2 tie refuses first"],
)
def test_hits_and_embargoes_speak_before_not_screened(facts, bucket):
    assert triage(compile_rules(DEFAULT_RULES), facts).bucket == bucket


def test_a_higher_threshold_lets_a_30_percent_foreign_owner_through():
    rules = compile_rules([{"rule": "owned_by_foreign", "threshold": 50}, {"rule": "us_incorporated_us_hq"}])
    verdict = triage(rules, entity(owners=(OwnerFact("Parent Co", Decimal(30), "CN"),)))
    assert verdict.bucket == Bucket.RESTORABLE


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ({"rule": "embargoed_country"}, "rules: must be a list of rules"),
        ([], "rules: name at least one rule"),
        (["embargoed_country"], 'rules[0]: must be an object with a "rule" name'),
        ([{"rule": "embargoed_country"}, {"rule": "be_nice"}], "rules[1].rule: unknown rule 'be_nice'"),
        ([{"rule": "owned_by_foreign", "threshold": 0}], "rules[0].threshold: must be more than 0 and at most 100"),
        ([{"rule": "owned_by_foreign", "threshold": "lots"}], "rules[0].threshold: must be a number"),
        ([{"rule": "owned_by_foreign", "treshold": 25}], "rules[0].treshold: owned_by_foreign takes no such parameter"),
        (
            [{"rule": "us_incorporated_us_hq", "require_headquarters": "yes"}],
            "rules[0].require_headquarters: must be true or false",
        ),
    ],
)
def test_rule_set_problems_name_the_entry_and_field(rules, problem):
    problems = rule_set_problems(rules)
    assert any(p.startswith(problem) for p in problems), problems


def test_the_default_rules_are_valid():
    assert rule_set_problems(DEFAULT_RULES) == []


def test_a_subject_waiting_for_attestation_cites_its_link():
    verdict = triage(compile_rules(DEFAULT_RULES), person(attestation="sent 2026-12-01"))
    assert verdict.bucket == Bucket.NEEDS_ATTESTATION
    assert verdict.reasons[-1].as_dict() == {
        "rule": "attestation",
        "fact": "Attestation link",
        "value": "sent 2026-12-01",
    }


def test_a_decided_subject_does_not_cite_an_attestation():
    verdict = triage(
        compile_rules(DEFAULT_RULES), person(("citizenship", "US", "1990-01-01"), attestation="sent 2026-12-01")
    )
    assert verdict.bucket == Bucket.RESTORABLE
    assert all(r.rule != "attestation" for r in verdict.reasons)
