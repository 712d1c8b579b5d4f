"""The beat schedule of the rule-change tasks, installed by a migration (see `licensing.beat`)."""

from licensing.beat import Entry

SCHEDULE = (
    Entry(
        "Rule changes: put approved changes in force on their day",
        "licensing.policy.tasks.put_approved_changes_in_force",
        # Just after midnight: the decision reads a change's law data from its day already; this records the
        # change as in force and decides again the transactions waiting on the items it touches.
        minute="5",
        hour="0",
        description="Marks approved rule changes in force on their effective day and re-decides what they affect.",
    ),
)
