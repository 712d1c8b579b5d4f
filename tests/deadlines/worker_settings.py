"""Settings for the worker and beat processes of the beat test: e-mail is written to files the test can count."""

import os

from licensing.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["DEADLINES_TEST_MAIL_DIR"]
