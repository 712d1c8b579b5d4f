"""A deemed export or reexport: the papers BIS expects about the person the technology is released to."""

from licensing.parties.models import EvidenceDocument
from licensing.reference.models import Activity

from .draft import Draft
from .problem import Problem

Evidence = EvidenceDocument.Kind


def _needed(draft: Draft) -> tuple[str, ...]:
    # A foreign national in the United States holds a visa; one abroad (a deemed reexport) need not.
    if draft.activity == Activity.DEEMED_EXPORT:
        return (Evidence.PASSPORT, Evidence.VISA, Evidence.RESUME)
    return (Evidence.PASSPORT, Evidence.RESUME)


def person_papers(draft: Draft) -> Problem | None:
    if not draft.deemed:
        return None
    person = draft.person
    if person is None:
        return Problem(
            "19 End user",
            "person",
            "A deemed release names the person it is released to, and this application names nobody.",
            "Record the transaction for the person, not the customer alone.",
        )
    missing = [str(Evidence(kind).label).lower() for kind in _needed(draft) if kind not in draft.evidence_kinds]
    if not missing:
        return None
    return Problem(
        "6 Documents submitted: deemed export",
        "evidence",
        f"{person}'s {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not on file.",
        f"Attach the {' and '.join(missing)} on {person}'s page (a resume with no gap over 30 days).",
    )


def technology_control_plan(draft: Draft) -> Problem | None:
    if not draft.deemed or draft.technology_control_plan:
        return None
    return Problem(
        "6 Documents submitted: deemed export",
        "technology_control_plan",
        "A deemed-export application cites the Technology Control Plan, and none is configured.",
        "Ask an administrator to set TECHNOLOGY_CONTROL_PLAN_REFERENCE to the plan's reference.",
    )
