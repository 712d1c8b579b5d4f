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

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        # A superuser created with createsuperuser has no role field set; it
        # administers the system and is treated as an administrator.
        if self.is_superuser and not self.role:
            return Role.ADMIN
        return self.role
