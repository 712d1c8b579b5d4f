"""The beat schedule of the deadline tasks, installed by a migration (see `licensing.beat`)."""

from licensing.beat import Entry

SCHEDULE = (
    Entry(
        "Deadlines: send due reminders",
        "licensing.deadlines.tasks.send_due_reminders",
        minute="5",
        hour="*",
        description="Marks lapsed deadlines, claims each reminder once and e-mails it.",
    ),
    Entry(
        "Deadlines: daily digests",
        "licensing.deadlines.tasks.send_daily_digests",
        minute="0",
        hour="7",
        description="One e-mail a day to each user who chose the digest.",
    ),
    Entry(
        "Deadlines: nightly refresh",
        "licensing.deadlines.tasks.refresh_all_deadlines",
        minute="30",
        hour="1",
        description="Recomputes every live case, so stopped clocks and documents added without a move catch up.",
    ),
)
