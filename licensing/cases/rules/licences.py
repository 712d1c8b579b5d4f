"""Rule 6, a licence requirement and the licence covering it; and the default: authorised, saying why."""

from collections.abc import Iterator

from licensing.reference.models import UNITED_STATES, Activity, LicenceRequirement, RequirementRelaxation

from ..facts import DecisionFacts
from ..models import Decision
from .coverage import licence_coverage, release_country
from .recipient import release_described
from .request import Evaluation, Request


def licence_requirement(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """Where a requirement in force applies: authorised under the licence covering it, else licence required."""
    requirement = first_applicable_requirement(request, facts)
    if requirement is None:
        return None
    country = release_country(request, facts)
    required = (
        f"{release_described(request, facts)}; a licence is required by {requirement} ({requirement.legal_basis})"
    )
    relaxed = relaxation_reasons(request, facts)
    coverage = licence_coverage(
        request, facts, country=country, per_transaction=requirement.application_per_transaction
    )
    licence = coverage.licence
    if licence is not None:
        return Evaluation(
            Decision.AUTHORISED,
            [
                *relaxed,
                required + ".",
                f"Authorised under licence {licence.number}, valid until {licence.valid_until}.",
            ],
            licence=licence,
            requirement=requirement,
            determination=facts.determination,
            attributed_country=country,
        )
    reasons = [*relaxed, required + "; no active licence covers this transaction."]
    reasons += coverage.shortfall
    if requirement.application_per_transaction:
        reasons.append("Each transaction needs its own licence application.")
    return Evaluation(
        Decision.LICENCE_REQUIRED,
        reasons,
        requirement=requirement,
        determination=facts.determination,
        attributed_country=country,
    )


def authorised_otherwise(request: Request, facts: DecisionFacts) -> Evaluation:
    """Authorise what every rule let through, saying why: a U.S. person, or no requirement applies."""
    country = release_country(request, facts)
    described = release_described(request, facts)
    assert facts.determination is not None, "reached only after the determination rule found one in force"
    if not facts.determination.is_foreign:
        reason = f"{described}; no licence requirement covers a release to a U.S. person."
    else:
        reason = (
            f"{described}; no licence requirement in force covers {request.item.code} "
            f"for {request.activity.replace('_', ' ')} there."
        )
    return Evaluation(
        Decision.AUTHORISED,
        [*relaxation_reasons(request, facts), reason],
        determination=facts.determination,
        attributed_country=country,
    )


def first_applicable_requirement(request: Request, facts: DecisionFacts) -> LicenceRequirement | None:
    """The oldest requirement in force reaching this recipient or destination for the activity, not relaxed."""
    for requirement, relaxation in _reaching(request, facts):
        if relaxation is None:
            return requirement
    return None


def relaxation_reasons(request: Request, facts: DecisionFacts) -> list[str]:
    """Why each requirement that would reach this request does not apply: the relaxation in force lifting it."""
    reasons = []
    for requirement, relaxation in _reaching(request, facts):
        if relaxation is None:
            break
        reasons.append(
            f"Requirement {requirement} does not apply: relaxed for {_relaxed_for(relaxation, request)} "
            f"from {relaxation.effective_from} by change #{relaxation.change_number}."
        )
    return reasons


def _relaxed_for(relaxation: RequirementRelaxation, request: Request) -> str:
    kind = RequirementRelaxation.Kind
    if relaxation.kind == kind.COUNTRY_GROUP:
        return f"Country Group {relaxation.country_group_id}"
    if relaxation.kind == kind.ITEM:
        return f"item {request.item.code}"
    return f"{request.customer.legal_name} as a named trusted partner"


def _lifting(
    requirement: LicenceRequirement, request: Request, facts: DecisionFacts, groups: set[str]
) -> RequirementRelaxation | None:
    for relaxation in facts.relaxations:
        if relaxation.lifts(
            requirement_id=requirement.pk, customer_id=request.customer.pk, item_id=request.item.pk, groups=groups
        ):
            return relaxation
    return None


def _reaching(
    request: Request, facts: DecisionFacts
) -> Iterator[tuple[LicenceRequirement, RequirementRelaxation | None]]:
    """Each requirement in force reaching this request, oldest first, with the relaxation lifting it, if any."""
    country = release_country(request, facts)
    groups = facts.groups_of(country) if country else set()
    for requirement in _applicable(request, facts):
        yield requirement, _lifting(requirement, request, facts, groups)


def _applicable(request: Request, facts: DecisionFacts) -> Iterator[LicenceRequirement]:
    determination = facts.determination
    assert determination is not None, "reached only after the determination rule found one in force"
    country = release_country(request, facts)
    deemed = request.activity in Activity.deemed()
    for requirement in facts.requirements:
        if not requirement.covers_activity(request.activity):
            continue
        scope = requirement.Scope
        if requirement.scope == scope.FOREIGN_PERSONS and determination.is_foreign:
            yield requirement
        elif requirement.scope == scope.ALL_DESTINATIONS and (
            determination.is_foreign or (not deemed and country != UNITED_STATES)
        ):
            yield requirement
        elif requirement.scope == scope.COUNTRY_GROUPS and country and (determination.is_foreign or not deemed):
            if requirement.group_codes & facts.groups_of(country):
                yield requirement
