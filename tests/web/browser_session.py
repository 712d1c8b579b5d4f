"""Signing in to the live site in Debian's Chromium, for the browser tests."""

from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"


def signed_in(browser, live_site, username, *, width=1366, height=900):
    """A fresh browser window with `username` signed in, on the dashboard."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_site}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    return context, page
