"""The ownership rule (the Affiliates rule) on facts built in memory: shares added up, chains, periods."""

from licensing.cases.decision import decide
from licensing.cases.models import Decision, OwnershipRulePeriod
from licensing.cases.rules import ownership
from licensing.screening.models import Hit

from .ownership_world import edge, entity_listed_owners, hit, owned_by, period
from .test_rules import built, cleared


def decided(world):
    return decide(*built(world))


def test_listed_owners_shares_are_added_up_and_the_chain_is_cited(today):
    world = cleared(today)
    entity_listed_owners(world, [("Hebei Front Co.", "35"), ("Xian Holding Ltd.", "25")])

    outcome = decided(world)

    assert outcome.decision == Decision.LICENCE_REQUIRED
    assert outcome.reasons[0] == (
        "Owned 60% in aggregate by listed parties: "
        "Hebei Front Co. (35%, Entity List (EL) entry Hebei Front Co., hit #2), "
        "Xian Holding Ltd. (25%, Entity List (EL) entry Xian Holding Ltd., hit #3) "
        "(15 CFR 744.11 (affiliates rule) in force from 2025-09-29): a licence is required, as for the listed owner."
    )
    assert (
        "licence requirement: For all items subject to the EAR; licence review policy: Presumption of denial"
        in (outcome.reasons[1])
    )


def test_less_than_half_owned_by_listed_parties_is_not_reached(today):
    world = cleared(today)
    entity_listed_owners(world, [("Hebei Front Co.", "30"), ("Xian Holding Ltd.", "19.99")])

    assert ownership(*built(world)) is None
    assert decided(world).decision == Decision.AUTHORISED


def test_the_rule_reaches_nobody_while_suspended_or_before_any_period(today):
    world = cleared(today)
    entity_listed_owners(world, [("Hebei Front Co.", "60")])
    world.facts["ownership"] = world.facts["ownership"].__class__(
        period=period(OwnershipRulePeriod.Status.SUSPENDED),
        edges=world.facts["ownership"].edges,
        hits=world.facts["ownership"].hits,
    )
    assert ownership(*built(world)) is None

    world.facts["ownership"] = world.facts["ownership"].__class__(
        period=None, edges=world.facts["ownership"].edges, hits=world.facts["ownership"].hits
    )
    assert ownership(*built(world)) is None


def test_an_owner_on_a_list_that_refuses_refuses_the_owned_customer(today):
    world = cleared(today)
    entity_listed_owners(world, [("Volga Trading", "50")], list_code="SDN")

    outcome = decided(world)

    assert outcome.decision == Decision.REFUSED
    assert outcome.reasons[0].startswith("Owned 50% in aggregate by listed parties: Volga Trading (50%, Specially")


def test_owners_awaiting_adjudication_hold_when_they_would_reach_the_threshold(today):
    world = cleared(today)
    owned_by(
        world,
        [edge(2, 2, "35"), edge(3, 3, "20")],
        [hit(2, 2, "Hebei Front Co."), hit(3, 3, "Xian Holding Ltd.", status=Hit.Status.OPEN)],
        {2: "Hebei Front Co.", 3: "Xian Holding Ltd."},
    )

    outcome = decided(world)

    assert outcome.decision == Decision.HOLD
    assert "Owned 55% in aggregate by parties listed or awaiting adjudication" in outcome.reasons[0]
    assert "Xian Holding Ltd. (20%, hit #3 on the Entity List (EL))" in outcome.reasons[0]


def test_an_owner_itself_owned_by_listed_parties_counts_as_listed(today):
    world = cleared(today)
    # Hebei Front (listed) owns 60% of Shell Holdings, which owns 55% of the customer.
    owned_by(
        world,
        [edge(2, 3, "55"), edge(3, 2, "60", owned=3)],
        [hit(2, 2, "Hebei Front Co.")],
        {2: "Hebei Front Co.", 3: "Shell Holdings"},
    )

    outcome = decided(world)

    assert outcome.decision == Decision.LICENCE_REQUIRED
    assert outcome.reasons[0].startswith(
        "Owned 55% in aggregate by listed parties: Shell Holdings (55%, itself owned 60% by listed parties: "
        "Hebei Front Co. (60%, Entity List (EL) entry Hebei Front Co., hit #2))"
    )


def test_a_cycle_of_owners_ends_and_counts_nothing_twice(today):
    world = cleared(today)
    # Shell owns 55% of the customer and the customer owns 60% of Shell; nobody is listed.
    owned_by(world, [edge(2, 3, "55"), edge(3, 1, "60", owned=3)], [], {3: "Shell Holdings"})

    assert ownership(*built(world)) is None


def test_owners_named_only_are_not_screened_and_never_count(today):
    world = cleared(today)
    owned_by(world, [edge(2, None, "80", owner_name="A state fund")], [], {})

    assert ownership(*built(world)) is None
