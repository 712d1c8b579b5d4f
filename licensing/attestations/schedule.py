"""The beat schedule of attestation reminders, installed by a migration (see `licensing.beat`)."""

from licensing.beat import Entry

SCHEDULE = (
    Entry(
        "Attestations: remind unanswered links",
        "licensing.attestations.tasks.remind_unanswered_attestations",
        # Mid-morning UTC: the reminder lands in working hours across Europe and early in the Americas.
        minute="0",
        hour="9",
        description=(
            "Records links past their expiry as expired, then e-mails a fresh link (replacing the old one) to each "
            "contact who has not answered for five days, at most three times."
        ),
    ),
)
