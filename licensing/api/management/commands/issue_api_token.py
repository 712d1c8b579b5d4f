from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from licensing.accounts.permissions import ClientRole

from ...tokens import issue_api_token

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

    def handle(self, *args, name, role, **options):
        try:
            token, secret = issue_api_token(actor=None, name=name, role=ROLE_NAMES[role], created_by="issue_api_token")
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()))
        self.stderr.write(f"Issued token {token.name!r} ({token.get_role_display()}). It is shown only this once:")
        self.stdout.write(secret)
