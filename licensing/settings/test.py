"""Tests: the same code, with fast password hashing and plain static storage."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A loaded test machine (a browser, a worker and PostgreSQL sharing two cores)
# can stall a query past production's half second; the fault tests, which
# run the production settings, keep the short deadline.
ACCESS_CHECK_TIMEOUT_MS = env_int("ACCESS_CHECK_TIMEOUT_MS", 3000, minimum=10)  # noqa: F405

# A deemed-export application cites the Technology Control Plan (the pre-filing
# check refuses one without); tests about a missing plan set it empty.
TECHNOLOGY_CONTROL_PLAN_REFERENCE = env_str("TECHNOLOGY_CONTROL_PLAN_REFERENCE", "TCP-TEST-2026-01")  # noqa: F405
