"""What a confirmed match on each list means for a transaction, read by the decision's screening rule."""

from ..models import Decision

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
