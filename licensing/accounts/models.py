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
