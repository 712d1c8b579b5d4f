"""Rule 6, a licence requirement and the licence covering it; and the default: authorised, saying why."""

from licensing.reference.models import UNITED_STATES, Activity, LicenceRequirement

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
    coverage = licence_coverage(
        request, facts, country=country, per_transaction=requirement.application_per_transaction
    )
    licence = coverage.licence
    if licence is not None:
        return Evaluation(
            Decision.AUTHORISED,
            [required + ".", f"Authorised under licence {licence.number}, valid until {licence.valid_until}."],
            licence=licence,
            requirement=requirement,
            determination=facts.determination,
            attributed_country=country,
        )
    reasons = [required + "; no active licence covers this transaction."]
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
    return Evaluation(Decision.AUTHORISED, [reason], determination=facts.determination, attributed_country=country)


def first_applicable_requirement(request: Request, facts: DecisionFacts) -> LicenceRequirement | None:
    """The oldest requirement in force that covers the activity and reaches this recipient or destination."""
    determination = facts.determination
    assert determination is not None, "reached only after the determination rule found one in force"
    country = release_country(request, facts)
    deemed = request.activity in Activity.deemed()
    for requirement in facts.requirements:
        if not requirement.covers_activity(request.activity):
            continue
        scope = requirement.Scope
        if requirement.scope == scope.FOREIGN_PERSONS and determination.is_foreign:
            return requirement
        if requirement.scope == scope.ALL_DESTINATIONS and (
            determination.is_foreign or (not deemed and country != UNITED_STATES)
        ):
            return requirement
        if requirement.scope == scope.COUNTRY_GROUPS and country and (determination.is_foreign or not deemed):
            if requirement.group_codes & facts.groups_of(country):
                return requirement
    return None
