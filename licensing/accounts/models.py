from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Compliance officer"
    REVIEWER = "reviewer", "Reviewer"
    LEGAL = "legal", "Legal staff"
    ADMIN = "admin", "Administrator"
    AUDITOR = "auditor", "Auditor"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    # Base32 TOTP secret; empty while the user has not enrolled a second factor.
    totp_secret = models.CharField(max_length=64, blank=True)
    # The time-step of the last code accepted: a code is good once, so the same
    # or an earlier step is refused (a code read over a shoulder or replayed).
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        # A superuser created with createsuperuser has no role field set; it
        # administers the system and is treated as an administrator.
        if self.is_superuser and not self.role:
            return Role.ADMIN
        return self.role


class LoginFailure(models.Model):
    """A failed sign-in, counted to lock an account after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    failed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.username} failed at {self.failed_at:%Y-%m-%d %H:%M}"


class ThrottleScope(models.TextChoices):
    USERNAME = "username", "Password sign-ins for a username"
    ADDRESS = "address", "Password sign-ins from an address"
    SECOND_FACTOR = "second_factor", "Second-factor codes of a user"


class Throttle(models.Model):
    """The failures counted against one key (a username, an address, a user's second factor) in the current window.

    One row per key, changed only by single conditional UPDATEs (see
    licensing/accounts/throttle.py), so concurrent attempts cannot both pass
    the last free slot.
    """

    scope = models.CharField(max_length=16, choices=ThrottleScope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="accounts_throttle_one_row_per_key")]

    def __str__(self):
        return f"{self.get_scope_display()}: {self.key}"


class SignInLinkQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(used_at__isnull=True, expires_at__gt=now)


class SignInLink(models.Model):
    """A single-use link e-mailed to a locked-out user: it lets them sign in with their password past the lock."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    # Only the SHA-256 of the token is kept; the token itself is in the e-mail alone.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_passwords = models.PositiveIntegerField(default=0)

    objects = SignInLinkQuerySet.as_manager()

    def __str__(self):
        return f"sign-in link for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
