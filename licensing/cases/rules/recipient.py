"""Rule 4: who the recipient is, by an approved determination in force; and how a reason describes the release."""

from licensing.reference.models import Activity

from ..facts import DecisionFacts
from ..models import Decision
from .coverage import release_country
from .request import Evaluation, Request


def determination(request: Request, facts: DecisionFacts) -> Evaluation | None:
    """Hold, pending a determination, a recipient with no approved determination in force on the day."""
    found = facts.determination
    if found is None:
        return Evaluation(
            Decision.HOLD,
            [f"No approved foreign-person determination for {request.recipient}: pending determination."],
            needs_determination=True,
        )
    if found.in_force_on(facts.on):
        return None
    if facts.on > found.review_by:
        why = f"passed its review-by date ({found.review_by})"
    else:
        why = f"takes effect only on {found.effective_on}"
    return Evaluation(
        Decision.HOLD,
        [f"{found} {why}: pending a new determination."],
        determination=found,
        needs_determination=True,
    )


def release_described(request: Request, facts: DecisionFacts) -> str:
    """Who the recipient is and where the release goes, as the later rules' reasons begin.

    Only for a request the determination rule let through: the recipient's
    determination is in force.
    """
    recipient = request.recipient
    found = facts.determination
    assert found is not None, "described only after the determination rule found one in force"
    country = release_country(request, facts)
    if request.activity not in Activity.deemed():
        return f"{recipient} is a {'foreign' if found.is_foreign else 'U.S.'} person ({found}); destination {country}"
    if found.is_foreign:
        return f"{recipient} is a foreign person; the release is attributed to {country} (15 CFR 734.13(b), {found})"
    return f"{recipient} is a U.S. person ({found.get_basis_display()}, {found})"
