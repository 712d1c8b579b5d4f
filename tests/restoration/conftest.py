# The browser tests' live site and Chromium.
from tests.web.conftest import artifacts, chromium, live_site  # noqa: E402, F401
