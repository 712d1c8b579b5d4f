"""Rules 3 and 5: embargoed destinations and attributions; and the destination of a check that names none."""

from licensing.parties.models import Customer, Person
from licensing.reference.models import EMBARGO_GROUPS, Activity

from ..facts import DecisionFacts
from ..models import Decision
from .coverage import release_country
from .recipient import release_described
from .request import Evaluation, Request


def embargo(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """Refuse a destination in Country Group E:1 or E:2; hold when no group data is in force to tell."""
    if not facts.embargo_data_in_force:
        # Without country groups for the date nothing can be ruled out: fail closed.
        return Evaluation(Decision.HOLD, [f"No EAR country-group data is in force on {facts.on}: cannot decide."])
    groups = embargo_groups(facts, request.destination_country)
    if not groups:
        return None
    return Evaluation(
        Decision.REFUSED,
        [
            f"Destination {request.destination_country} is in Country Group {', '.join(groups)} "
            "(Supp. 1 to Part 740): refused outright."
        ],
    )


def attribution(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """Refuse a deemed release attributed (15 CFR 734.13(b)) to a country in E:1 or E:2."""
    if request.activity not in Activity.deemed():
        return None
    country = release_country(request, facts)
    groups = embargo_groups(facts, country) if country else ()
    if not groups:
        return None
    return Evaluation(
        Decision.REFUSED,
        [f"{release_described(request, facts)}; {country} is in Country Group {', '.join(groups)}: refused outright."],
        determination=facts.determination,
        attributed_country=country,
    )


def embargo_groups(facts: DecisionFacts, country_code: str) -> tuple[str, ...]:
    """The embargo groups (E:1, E:2) the country is in on the facts' day."""
    return tuple(sorted(facts.groups_of(country_code) & set(EMBARGO_GROUPS)))


def default_destination(customer: Customer, person: Person | None) -> str | None:
    """Where a release goes when the question names no country: the person's location, else the customer's home."""
    if person is not None:
        return person.location_country_id
    return customer.country_of_incorporation_id or customer.headquarters_country_id
