"""Triage's rules: small functions named by key, put in order by a rule set's data.

A rule set (`TriageRuleSet.rules`) is an ordered list such as
``[{"rule": "screening_open_hit"}, {"rule": "owned_by_foreign", "threshold": 25}]``.
`triage` asks each named rule in turn with its parameters; the first that
returns a Verdict places the subject, citing the facts it read. Nothing speaks:
the subject needs an attestation, because what is not known is never restored.

A rule here only proposes: an officer accepts it and a second officer
approves the determination it becomes (15 CFR 772.1 decides who is a U.S.
person; domain brief, "Persons" and "Where a release is attributed").
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from licensing.parties.models import StatusRecord
from licensing.reference.models import UNITED_STATES

from .buckets import Bucket
from .facts import PERSON, SubjectFacts


@dataclass(frozen=True)
class Reason:
    rule: str
    fact: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "fact": self.fact, "value": self.value}


@dataclass(frozen=True)
class Verdict:
    bucket: str
    reasons: tuple[Reason, ...]
    attribution_country: str | None = None


RuleFunction = Callable[..., Verdict | None]


@dataclass(frozen=True)
class Parameter:
    description: str
    default: Any
    # Returns the parameter's value checked, or raises ValueError saying what is wrong.
    check: Callable[[Any], Any]


@dataclass(frozen=True)
class RuleSpec:
    function: RuleFunction
    description: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict)


def _percentage(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not 0 < number <= 100:
        raise ValueError("must be more than 0 and at most 100")
    return number


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


# --- the rules -------------------------------------------------------------


def screening_open_hit(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """A hit awaiting adjudication or confirmed: blocked until an officer has dealt with it."""
    reasons = [Reason(name, "Screening hit awaiting adjudication", hit) for hit in facts.open_hits]
    reasons += [Reason(name, "Confirmed screening match", hit) for hit in facts.confirmed_hits]
    return Verdict(Bucket.BLOCKED, tuple(reasons)) if reasons else None


def not_screened(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """Not screened as it is now while a list is in force: awaiting screening, so never restorable before it.

    As the decision's screening rule: a subject never screened, or screened
    under other names or addresses than it has now, is not screened. With no
    list in force there is nothing to screen against, and the rule is silent.
    """
    if not facts.lists_in_force or facts.screened:
        return None
    if facts.ever_screened:
        value = "screened under other names or addresses than it has now"
    else:
        value = "not yet screened against the lists in force"
    return Verdict(Bucket.AWAITING_SCREENING, (Reason(name, "Screening", value),))


def _country_facts(facts: SubjectFacts) -> list[tuple[str, str]]:
    cited = []
    if facts.incorporated:
        cited.append(("Country of incorporation", facts.incorporated))
    if facts.headquarters:
        cited.append(("Headquarters", facts.headquarters))
    cited += [("Address", country) for country in facts.address_countries]
    if facts.location:
        cited.append(("Location", facts.location))
    cited += [(StatusRecord.Kind(s.kind).label, s.country) for s in facts.statuses if s.country != UNITED_STATES]
    return cited


def embargoed_country(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """Any country the subject is tied to is in Country Group E:1 or E:2: refused (domain brief)."""
    reasons = tuple(
        Reason(name, f"{fact} in Country Group E:1/E:2", country)
        for fact, country in _country_facts(facts)
        if country in facts.embargoed
    )
    if not reasons:
        return None
    # A release to a foreign person is attributed to their latest status (734.13(b)), else to the entity's home.
    return Verdict(Bucket.REFUSED, reasons, _attribution(facts) or reasons[0].value)


def foreign_incorporation(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """An entity incorporated outside the U.S. is a foreign person: a licence is required (772.1)."""
    if facts.kind == PERSON or not facts.entity or not facts.incorporated or facts.incorporated == UNITED_STATES:
        return None
    return Verdict(
        Bucket.LICENCE_REQUIRED,
        (Reason(name, "Country of incorporation", facts.incorporated),),
        facts.incorporated,
    )


def owned_by_foreign(facts: SubjectFacts, *, name: str, threshold: Decimal) -> Verdict | None:
    """An owner holding `threshold`% or more that is foreign, or of unknown country: needs attestation."""
    reasons = tuple(
        Reason(
            name,
            f"Owner with {owner.percentage}% (at least {threshold}%)",
            f"{owner.name}: {owner.country or 'country unknown'}",
        )
        for owner in facts.owners
        if owner.percentage >= threshold and owner.country != UNITED_STATES
    )
    return Verdict(Bucket.NEEDS_ATTESTATION, reasons) if reasons else None


def us_incorporated_us_hq(facts: SubjectFacts, *, name: str, require_headquarters: bool) -> Verdict | None:
    """An entity organised under U.S. law with its headquarters in the U.S.: restorable (772.1)."""
    if facts.kind == PERSON or not facts.entity or facts.incorporated != UNITED_STATES:
        return None
    reasons = [Reason(name, "Country of incorporation", UNITED_STATES)]
    if facts.headquarters == UNITED_STATES:
        reasons.append(Reason(name, "Headquarters", UNITED_STATES))
    elif require_headquarters:
        return None
    reasons.append(Reason(name, "Owners of a significant share", "none foreign recorded"))
    return Verdict(Bucket.RESTORABLE, tuple(reasons))


def _is_natural_person(facts: SubjectFacts) -> bool:
    return facts.kind == PERSON or not facts.entity


def seat_citizenship_known(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """A person (or individual customer) with no citizenship or residency recorded: needs attestation."""
    if not _is_natural_person(facts) or facts.statuses:
        return None
    return Verdict(Bucket.NEEDS_ATTESTATION, (Reason(name, "Citizenship or permanent residency", "none recorded"),))


_US_STATUSES = (
    StatusRecord.Kind.CITIZENSHIP,
    StatusRecord.Kind.PERMANENT_RESIDENCY,
    StatusRecord.Kind.PROTECTED_INDIVIDUAL,
)


def us_person_status(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """U.S. citizenship, a green card or protected-individual status held: restorable (772.1)."""
    if not _is_natural_person(facts):
        return None
    for kind in _US_STATUSES:
        held = [s for s in facts.statuses if s.country == UNITED_STATES and s.kind == kind]
        if held:
            return Verdict(
                Bucket.RESTORABLE,
                (Reason(name, StatusRecord.Kind(kind).label, f"{UNITED_STATES} since {held[0].acquired_on}"),),
            )
    return None


def _attribution(facts: SubjectFacts) -> str | None:
    """The most recent citizenship or permanent residency (734.13(b)); None when none or two on one day."""
    foreign = [
        s
        for s in facts.statuses
        if s.kind in (StatusRecord.Kind.CITIZENSHIP, StatusRecord.Kind.PERMANENT_RESIDENCY)
        and s.country != UNITED_STATES
    ]
    if not foreign:
        return None
    latest = max(s.acquired_on for s in foreign)
    countries = {s.country for s in foreign if s.acquired_on == latest}
    return countries.pop() if len(countries) == 1 else None


def foreign_person_status(facts: SubjectFacts, *, name: str) -> Verdict | None:
    """Only foreign statuses held: a licence is required, attributed to the most recent one (734.13(b))."""
    if not _is_natural_person(facts) or not facts.statuses:
        return None
    cited = tuple(
        Reason(name, StatusRecord.Kind(s.kind).label, f"{s.country} since {s.acquired_on}") for s in facts.statuses
    )
    country = _attribution(facts)
    if country is None:
        # Two statuses acquired the same day cannot be ordered: ask, never guess.
        return Verdict(Bucket.NEEDS_ATTESTATION, (*cited, Reason(name, "Most recent status", "cannot be ordered")))
    return Verdict(Bucket.LICENCE_REQUIRED, (*cited, Reason(name, "Attribution (734.13(b))", country)), country)


REGISTRY: dict[str, RuleSpec] = {
    "screening_open_hit": RuleSpec(screening_open_hit, "A screening hit awaiting adjudication or confirmed: blocked."),
    "not_screened": RuleSpec(not_screened, "Not screened as it is now while a list is in force: awaiting screening."),
    "embargoed_country": RuleSpec(embargoed_country, "Tied to an E:1/E:2 country: refused."),
    "foreign_incorporation": RuleSpec(foreign_incorporation, "Entity incorporated abroad: licence required."),
    "owned_by_foreign": RuleSpec(
        owned_by_foreign,
        "A foreign or unknown owner at or above the threshold: needs attestation.",
        {"threshold": Parameter("Smallest share in percent that counts", Decimal(25), _percentage)},
    ),
    "us_incorporated_us_hq": RuleSpec(
        us_incorporated_us_hq,
        "Entity incorporated in the U.S. with U.S. headquarters: restorable.",
        {"require_headquarters": Parameter("Also require U.S. headquarters", True, _flag)},
    ),
    "seat_citizenship_known": RuleSpec(seat_citizenship_known, "No citizenship or residency recorded: attestation."),
    "us_person_status": RuleSpec(us_person_status, "U.S. citizen, green card or protected individual: restorable."),
    "foreign_person_status": RuleSpec(foreign_person_status, "Foreign statuses only: licence required."),
}

# The current version, seeded by migration (0006 added not_screened to version 1): the order an officer would ask in.
# A hit blocks and an E:1/E:2 tie refuses whatever a screening finds; every other outcome waits for the screening.
DEFAULT_RULES: list[dict[str, Any]] = [
    {"rule": "screening_open_hit"},
    {"rule": "embargoed_country"},
    {"rule": "not_screened"},
    {"rule": "foreign_incorporation"},
    {"rule": "owned_by_foreign", "threshold": 25},
    {"rule": "us_incorporated_us_hq"},
    {"rule": "seat_citizenship_known"},
    {"rule": "us_person_status"},
    {"rule": "foreign_person_status"},
]

NOTHING_SPOKE = Reason("none", "No rule could place the subject from the facts recorded", "attestation needed")


def rule_set_problems(rules: Any) -> list[str]:
    """Every problem with a rule list, each naming the entry and field (`rules[2].threshold: ...`)."""
    if not isinstance(rules, list):
        return ["rules: must be a list of rules"]
    if not rules:
        return ["rules: name at least one rule"]
    problems = []
    for index, entry in enumerate(rules):
        where = f"rules[{index}]"
        if not isinstance(entry, dict):
            problems.append(f'{where}: must be an object with a "rule" name')
            continue
        key = entry.get("rule")
        spec = REGISTRY.get(key) if isinstance(key, str) else None
        if spec is None:
            problems.append(f"{where}.rule: unknown rule {key!r}; known: {', '.join(sorted(REGISTRY))}")
            continue
        for parameter, value in entry.items():
            if parameter == "rule":
                continue
            if parameter not in spec.parameters:
                known = ", ".join(sorted(spec.parameters)) or "none"
                problems.append(f"{where}.{parameter}: {key} takes no such parameter (takes: {known})")
                continue
            try:
                spec.parameters[parameter].check(value)
            except ValueError as error:
                problems.append(f"{where}.{parameter}: {error}")
    return problems


@dataclass(frozen=True)
class CompiledRule:
    name: str
    function: RuleFunction
    arguments: Mapping[str, Any]


def compile_rules(rules: list[dict[str, Any]]) -> tuple[CompiledRule, ...]:
    """Check a rule list and bind each rule to its parameters, defaults filled in."""
    problems = rule_set_problems(rules)
    if problems:
        raise ValueError("; ".join(problems))
    compiled = []
    for entry in rules:
        spec = REGISTRY[entry["rule"]]
        arguments = {
            key: parameter.check(entry[key]) if key in entry else parameter.default
            for key, parameter in spec.parameters.items()
        }
        compiled.append(CompiledRule(entry["rule"], spec.function, arguments))
    return tuple(compiled)


def triage(rules: tuple[CompiledRule, ...], facts: SubjectFacts) -> Verdict:
    """Ask the rules in order; the first verdict stands, and nothing known means an attestation is needed."""
    verdict = next(
        (found for rule in rules if (found := rule.function(facts, name=rule.name, **rule.arguments)) is not None),
        Verdict(Bucket.NEEDS_ATTESTATION, (NOTHING_SPOKE,)),
    )
    if verdict.bucket == Bucket.NEEDS_ATTESTATION and facts.attestation:
        # Where the customer's answer stands, so the officer sees whether to wait, remind or send a link.
        return Verdict(verdict.bucket, (*verdict.reasons, Reason("attestation", "Attestation link", facts.attestation)))
    return verdict
