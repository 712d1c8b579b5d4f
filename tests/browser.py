"""The browser tests' parts: the site served from a thread, Debian's Chromium, and a signed-in window.

Session-wide fixtures are defined once here and loaded by tests/conftest.py, so
every browser test of a run shares one Playwright and one Chromium.
"""

import re
import shutil
import threading
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def live_site(transactional_db):
    """The site served over HTTP from a thread, with static files, for the browser; yields its base URL.

    Django's own live server also wraps the site in a media-file handler,
    which needs a MEDIA_URL; the product has none on purpose (evidence is
    served only through views that check permission).
    """
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(WSGIHandler()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; the tests skip nothing if it is missing: they fail."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Install Debian's chromium (WITH_BROWSER=1 scripts/bootstrap) to run the browser tests."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PASSWORD = "correct horse battery staple"


def signed_in(browser, live_site, username, *, width=1366, height=900, on_console=None):
    """A fresh browser window with `username` signed in, on the dashboard."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    if on_console is not None:
        page.on("console", on_console)
    page.goto(f"{live_site}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    return context, page


class Desk:
    """One signed-in person at their own browser window."""

    def __init__(self, browser, live_site, artifacts, username):
        self.base = live_site
        self.artifacts = artifacts
        self.username = username
        self.console_errors = []
        self.context, self.page = signed_in(browser, live_site, username, on_console=self._console)

    def _console(self, message):
        # A refused form answers 400 on purpose; Chromium logs that, and it is not a fault.
        if message.type == "error" and "status of 400" not in message.text:
            where = message.location.get("url", "")
            self.console_errors.append(f"{where}: {message.text}")

    def go(self, path):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def shot(self, name):
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)

    def open_action(self, name):
        """Unfold the transition whose form asks for more than a click."""
        self.page.locator("summary").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")).click()

    def click(self, name):
        self.page.get_by_role("button", name=name, exact=True).click()

    def close(self):
        self.context.close()
