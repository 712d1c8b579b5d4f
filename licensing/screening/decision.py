"""What screening says about a transaction, for `licensing.cases.decision.decide`.

It reads the screening facts loaded with the rest of the decision's
(`licensing.cases.facts`): whether a list is in force, the hits in effect for
the customer, the person or the transaction's application parties, and whether
the customer and person have been screened at all. An open hit holds the
transaction pending screening; a confirmed match has its list's effect (table
below); a subject never screened while lists are in force is held too, so a
failed or late screening task fails closed.
"""

from licensing.cases.models import Decision

from .models import Hit

# The effect of a confirmed match, by list. A denial order forbids any
# transaction with the denied person (15 CFR 764.3(a)(2)); U.S. persons may
# not deal with blocked persons (31 CFR 501, the SDN list); an Entity List
# or Military End-User entry requires a licence to the extent its entry
# says (744.11, 744.21). Any other list's confirmed match holds the
# transaction for counsel: its effect (UVL statement, ITAR debarment,
# nonproliferation sanctions) is not decided here.
CONFIRMED_MATCH_EFFECTS = {
    "DPL": Decision.REFUSED,
    "SDN": Decision.REFUSED,
    "EL": Decision.LICENCE_REQUIRED,
    "MEU": Decision.LICENCE_REQUIRED,
}


def screening_outcome(request, facts):
    """Return the Evaluation screening imposes on the request (hold, refusal, licence), or None."""
    # Imported here: the decision module imports this one.
    from licensing.cases.decision import Evaluation

    screening = facts.screening
    if not screening.lists_in_force:
        return None
    hits = screening.hits
    if not hits:
        unscreened = [
            name
            for name, screened in (
                (f"Customer {request.customer}", screening.customer_screened),
                (f"Person {request.person}", screening.person_screened),
            )
            if not screened
        ]
        if unscreened:
            return Evaluation(
                Decision.HOLD,
                [
                    f"{', '.join(unscreened)} not yet screened against the restricted-party lists in force: "
                    "pending screening."
                ],
            )
        return None

    refusals = [
        h
        for h in hits
        if h.status == Hit.Status.CONFIRMED and CONFIRMED_MATCH_EFFECTS.get(h.entry.list_code) == Decision.REFUSED
    ]
    if refusals:
        return Evaluation(Decision.REFUSED, [_confirmed(h) + ": refused." for h in refusals])
    awaiting = [h for h in hits if h.status in Hit.AWAITING]
    for_counsel = [
        h for h in hits if h.status == Hit.Status.CONFIRMED and h.entry.list_code not in CONFIRMED_MATCH_EFFECTS
    ]
    if awaiting or for_counsel:
        reasons = [
            f"Screening hit #{h.pk}: {h.subject_name} resembles {h.matched_name} on the {h.entry.list_name} "
            f"({h.entry.version}, score {h.score:.2f}); {h.get_status_display().lower()}: pending screening."
            for h in awaiting
        ]
        reasons += [
            _confirmed(h) + ": refer to counsel; the list's effect is not decided automatically." for h in for_counsel
        ]
        return Evaluation(Decision.HOLD, reasons)

    licensing = [h for h in hits if h.status == Hit.Status.CONFIRMED]
    if _has_own_licence(request, facts):
        # The licence the listing calls for exists; the rest of the evaluation checks its scope.
        return None
    reasons = []
    for h in licensing:
        entry = h.entry
        reasons.append(
            _confirmed(h)
            + f": a licence is required; licence requirement: {entry.license_requirement or 'not stated'}"
            + f"; licence review policy: {entry.license_policy or 'not stated'}"
            + (f" ({entry.federal_register_notice})" if entry.federal_register_notice else "")
            + "."
        )
    return Evaluation(Decision.LICENCE_REQUIRED, reasons)


def _confirmed(hit: Hit) -> str:
    entry = hit.entry
    return f"{hit.subject_name} is {entry.name} on the {entry.list_name} (confirmed match, hit #{hit.pk})"


def _has_own_licence(request, facts) -> bool:
    # The facts hold the customer's active licences for the item and activity.
    for licence in facts.licences:
        if request.transaction_id is not None and licence.application_transaction_id != request.transaction_id:
            continue
        if request.person is not None and licence.person_id not in (None, request.person.pk):
            continue
        return True
    return False
