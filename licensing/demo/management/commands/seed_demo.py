import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from licensing.demo import scenario


class Command(BaseCommand):
    help = "Build the demonstration scenario and its users (running it twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for the demo users (default: generated once and kept).")

    def handle(self, *args, password=None, **options):
        password = password or self._kept_password()
        users = scenario.build(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ as:"))
        for username, user in users.items():
            self.stdout.write(f"  {username:<9} {user.get_role_display():<20} password: {password}")
        self.stdout.write("  (the password applies to users created by this command; existing ones keep theirs)")

    def _kept_password(self) -> str:
        # Generated once for the embedded default and kept beside the database,
        # so every `make run` prints the same working logins.
        path = settings.VAR_DIR / "demo-password"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(12)
        path.write_text(password)
        path.chmod(0o600)
        return password
