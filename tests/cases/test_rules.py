"""The decision's rules as a table: one row per rule, in the order they are asked.

Each row starts from a request every rule lets through and changes one fact,
so that its rule, and no rule before it, decides. The facts are built in
memory and no test here may touch the database: the rules read only what
`licensing.cases.facts` loaded. A new rule is one function in
`licensing.cases.rules` and one row here.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from licensing.cases.decision import decide
from licensing.cases.facts import DecisionFacts, ScreeningFacts
from licensing.cases.models import Decision
from licensing.cases.rules import (
    RULES,
    Request,
    attribution,
    customer_standing,
    default_destination,
    determination,
    embargo,
    licence_requirement,
    ownership,
    screening,
)
from licensing.determinations.models import ForeignPersonDetermination
from licensing.parties.models import Customer, Person
from licensing.parties.status import Outcome
from licensing.reference.models import Activity, ControlledItem, LicenceRequirement, RequirementRelaxation

from .ownership_world import entity_listed_owners


def cleared(today: datetime.date) -> SimpleNamespace:
    """A German customer with a determination in force, exporting where no requirement applies: authorised."""
    customer = Customer(
        pk=1, external_id="CUST-1", legal_name="Rheinland Labs GmbH", country_of_incorporation_id="DE", aliases=[]
    )
    item = ControlledItem(pk=1, code="FM-1", name="Frontier model weights", eccn="4E091")
    found = ForeignPersonDetermination(
        pk=1,
        customer=customer,
        status=ForeignPersonDetermination.Status.APPROVED,
        outcome=Outcome.FOREIGN_PERSON,
        attribution_country_id="DE",
        effective_on=today - datetime.timedelta(days=30),
        review_by=today + datetime.timedelta(days=335),
    )
    return SimpleNamespace(
        request={
            "customer": customer,
            "person": None,
            "item": item,
            "activity": Activity.EXPORT,
            "destination_country": "DE",
        },
        facts={
            "on": today,
            "customer": customer,
            "person": None,
            "item": item,
            "determination": found,
            "embargo_data_in_force": True,
            "memberships": frozenset({("CU", "E:1"), ("KP", "E:2"), ("DE", "A:1"), ("CN", "D:1")}),
            "requirements": [],
            "licences": [],
            "screening": ScreeningFacts(
                lists_in_force=False, customer_screened_as=None, person_screened_as=None, hits=[]
            ),
        },
        found=found,
    )


def built(world: SimpleNamespace) -> tuple[Request, DecisionFacts]:
    return Request(**world.request), DecisionFacts(**world.facts)


def blocked(w):
    w.request["customer"].status = Customer.Status.BLOCKED
    w.request["customer"].status_reason = "Unpaid invoices and a false end-use statement"


def never_screened_while_a_list_is_in_force(w):
    w.facts["screening"] = ScreeningFacts(
        lists_in_force=True, customer_screened_as=None, person_screened_as=None, hits=[]
    )


def owned_60_percent_by_entity_listed_parties(w):
    entity_listed_owners(w, [("Hebei Front Co.", "35"), ("Xian Holding Ltd.", "25")])


def bound_for_cuba(w):
    w.request["destination_country"] = "CU"


def no_determination(w):
    w.facts["determination"] = None


def deemed_release_attributed_to_north_korea(w):
    w.request["activity"] = Activity.DEEMED_EXPORT
    w.found.attribution_country_id = "KP"


def a_letter_for_foreign_persons_and_no_licence(w):
    letter = LicenceRequirement(
        pk=1,
        title="Is-informed letter",
        legal_basis="15 CFR 744 (is informed)",
        activities=list(Activity.values),
        scope=LicenceRequirement.Scope.FOREIGN_PERSONS,
        application_per_transaction=True,
    )
    letter.group_codes = set()
    w.facts["requirements"] = [letter]


@dataclass(frozen=True)
class Row:
    rule: Callable
    given: Callable[[SimpleNamespace], None]
    decision: str
    says: str


# One row per rule, in the order `decide` asks them: the README's order.
ROWS = (
    Row(customer_standing, blocked, Decision.REFUSED, "Customer Rheinland Labs GmbH is blocked: Unpaid invoices"),
    Row(screening, never_screened_while_a_list_is_in_force, Decision.HOLD, "not yet screened"),
    Row(ownership, owned_60_percent_by_entity_listed_parties, Decision.LICENCE_REQUIRED, "Owned 60% in aggregate"),
    Row(embargo, bound_for_cuba, Decision.REFUSED, "Destination CU is in Country Group E:1"),
    Row(determination, no_determination, Decision.HOLD, "pending determination"),
    Row(attribution, deemed_release_attributed_to_north_korea, Decision.REFUSED, "KP is in Country Group E:2"),
    Row(licence_requirement, a_letter_for_foreign_persons_and_no_licence, Decision.LICENCE_REQUIRED, "Is-informed"),
)


def test_the_table_lists_every_rule_in_the_order_decide_asks_them():
    assert [row.rule for row in ROWS] == list(RULES)


def test_the_readme_lists_the_rules_in_the_order_decide_asks_them():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The decision", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^\d+\. `(\w+)`", section, flags=re.MULTILINE)
    assert named == [rule.__name__ for rule in RULES] + ["authorised_otherwise"]


@pytest.mark.parametrize("row", ROWS, ids=[row.rule.__name__ for row in ROWS])
def test_each_rule_decides_its_case_and_no_rule_before_it_does(row, today):
    world = cleared(today)
    row.given(world)
    request, facts = built(world)

    outcome = row.rule(request, facts)

    assert outcome is not None, f"{row.rule.__name__} let its case through"
    assert outcome.decision == row.decision
    assert row.says in " ".join(outcome.reasons)
    earlier = RULES[: RULES.index(row.rule)]
    assert [rule.__name__ for rule in earlier if rule(request, facts) is not None] == []
    assert decide(request, facts) == outcome


def test_what_every_rule_lets_through_is_authorised_saying_why(today):
    request, facts = built(cleared(today))

    assert [rule.__name__ for rule in RULES if rule(request, facts) is not None] == []
    outcome = decide(request, facts)

    assert outcome.decision == Decision.AUTHORISED
    assert outcome.reasons == [
        "Rheinland Labs GmbH is a foreign person (Determination #1 for Rheinland Labs GmbH); destination DE; "
        "no licence requirement in force covers FM-1 for export there."
    ]
    assert outcome.attributed_country == "DE"


def test_a_check_naming_no_country_asks_about_the_person_s_location():
    customer = Customer(country_of_incorporation_id="DE", headquarters_country_id="CH")
    person = Person(customer=customer, location_country_id="FR")

    assert default_destination(customer, person) == "FR"


def test_a_check_naming_no_country_or_person_asks_about_the_customer_s_home_else_its_headquarters():
    assert default_destination(Customer(country_of_incorporation_id="DE", headquarters_country_id="CH"), None) == "DE"
    assert default_destination(Customer(headquarters_country_id="CH"), None) == "CH"
    assert default_destination(Customer(), None) is None


def relaxation(kind: str, **named) -> RequirementRelaxation:
    """A relaxation of the letter of `a_letter_for_foreign_persons_and_no_licence`, made by change #7."""
    found = RequirementRelaxation(
        pk=1, requirement_id=1, kind=kind, effective_from=datetime.date(2027, 1, 4), change_number=7, **named
    )
    found.customer_ids = set()
    return found


def relaxed_for_a1(w):
    w.facts["relaxations"] = [relaxation("country_group", country_group_id="A:1")]


def relaxed_for_d1(w):
    w.facts["relaxations"] = [relaxation("country_group", country_group_id="D:1")]


def relaxed_for_the_customer(w):
    found = relaxation("customers")
    found.customer_ids = {1}
    w.facts["relaxations"] = [found]


def relaxed_for_another_customer(w):
    found = relaxation("customers")
    found.customer_ids = {2}
    w.facts["relaxations"] = [found]


def relaxed_for_the_item(w):
    w.facts["relaxations"] = [relaxation("item", item_id=1)]


def relaxed_for_another_letter(w):
    found = relaxation("country_group", country_group_id="A:1")
    found.requirement_id = 2
    w.facts["relaxations"] = [found]


# The letter of the licence rule's row, relaxed one way per row: what a relaxation in force lifts, and what not.
RELAXATION_ROWS = (
    (relaxed_for_a1, Decision.AUTHORISED, "relaxed for Country Group A:1 from 2027-01-04 by change #7"),
    (relaxed_for_d1, Decision.LICENCE_REQUIRED, "a licence is required by Is-informed letter"),
    (relaxed_for_the_customer, Decision.AUTHORISED, "relaxed for Rheinland Labs GmbH as a named trusted partner"),
    (relaxed_for_another_customer, Decision.LICENCE_REQUIRED, "a licence is required by Is-informed letter"),
    (relaxed_for_the_item, Decision.AUTHORISED, "relaxed for item FM-1 from 2027-01-04 by change #7"),
    (relaxed_for_another_letter, Decision.LICENCE_REQUIRED, "a licence is required by Is-informed letter"),
)


@pytest.mark.parametrize(
    ("given", "decision", "says"), RELAXATION_ROWS, ids=[row[0].__name__ for row in RELAXATION_ROWS]
)
def test_a_relaxation_in_force_lifts_the_letter_only_where_it_reaches(given, decision, says, today):
    world = cleared(today)
    a_letter_for_foreign_persons_and_no_licence(world)
    given(world)

    outcome = decide(*built(world))

    assert outcome.decision == decision
    assert says in " ".join(outcome.reasons)


def test_a_lifted_letter_is_named_beside_why_the_release_is_authorised(today):
    world = cleared(today)
    a_letter_for_foreign_persons_and_no_licence(world)
    relaxed_for_a1(world)

    outcome = decide(*built(world))

    assert outcome.reasons == [
        "Requirement Is-informed letter does not apply: relaxed for Country Group A:1 from 2027-01-04 by change #7.",
        "Rheinland Labs GmbH is a foreign person (Determination #1 for Rheinland Labs GmbH); destination DE; "
        "no licence requirement in force covers FM-1 for export there.",
    ]
