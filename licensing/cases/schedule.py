"""The beat schedule of the cases tasks, installed by a migration (see `licensing.beat`)."""

from licensing.beat import Entry

SCHEDULE = (
    Entry(
        "Cases: record lapsed licences as expired",
        "licensing.cases.tasks.expire_lapsed_licences",
        # Shortly after midnight: a licence is expired from the day after its last valid day. Pages, the API and
        # the decision already read it as expired from that day; this records the event and the status.
        minute="10",
        hour="0",
        description="Marks licences past their validity as expired and records the event.",
    ),
    Entry(
        "Cases: decide again on a day the ownership rule starts or stops applying",
        "licensing.cases.tasks.redecide_on_ownership_rule_days",
        # A suspension or resumption recorded for a later day takes effect at its midnight; the access check
        # reads it from that day anyway, this brings the recorded decisions of waiting transactions in line.
        minute="15",
        hour="0",
        description="Decides again the held or licence-awaiting transactions of customers with owners.",
    ),
)
