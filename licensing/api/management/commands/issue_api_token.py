import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from licensing.accounts.permissions import ClientRole

from ...tokens import issue_api_token

# Ten years: beyond it a date is more likely a typo than a plan.
MAX_EXPIRY_DAYS = 3650

# The names the command takes for the roles, as the README gives them.
ROLE_NAMES = {
    "billing": ClientRole.BILLING,
    "read-only": ClientRole.READ_ONLY,
    "admin": ClientRole.INTEGRATION_ADMIN,
    "screening": ClientRole.SCREENING,
}


class Command(BaseCommand):
    help = "Issue an API token for a machine client and print it once; only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name for the client, e.g. billing-production.")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_NAMES), help="What the token may do.")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            metavar="N",
            help="Refuse the token from N days from now on (at least 1); without it, it works until revoked.",
        )

    def handle(self, *args, name, role, expires_in_days, **options):
        expires_at = None
        if expires_in_days is not None:
            if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
                raise CommandError(f"--expires-in-days: give a number of days from 1 to {MAX_EXPIRY_DAYS}.")
            expires_at = timezone.now() + datetime.timedelta(days=expires_in_days)
        try:
            token, secret = issue_api_token(
                actor=None, name=name, role=ROLE_NAMES[role], created_by="issue_api_token", expires_at=expires_at
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()))
        expiry = f", expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else ""
        self.stderr.write(
            f"Issued token {token.name!r} ({token.get_role_display()}{expiry}). It is shown only this once:"
        )
        self.stdout.write(secret)
