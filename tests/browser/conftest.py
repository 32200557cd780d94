"""Browser tests drive Debian's Chromium through Playwright against pytest-django's live server."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """A fresh Chromium per test: Playwright's event loop must not outlive the test that uses it."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} fehlt: bitte das Debian-Paket chromium installieren (siehe .ci/run).")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            # ORM calls made while Playwright runs use their own connection (its event loop has its own
            # context); close it so it neither leaks nor keeps the test database from being dropped.
            connections.close_all()


@pytest.fixture(autouse=True)
def unhashed_static_files(settings):
    """The live server serves static files from the app directories, which hold the unhashed names."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def new_page(browser):
    """Open pages in separate browser contexts: separate cookies, like separate people at separate desks."""
    contexts = []

    def open_page():
        context = browser.new_context(locale="de-DE")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def accessibility_violations(page) -> list[str]:
    """What axe-core (WCAG 2.x A/AA and best-practice rules) finds on the page as it is now."""
    found = Axe().run(page).response["violations"]
    return [f"{violation['impact']} {violation['id']}: {[node['target'] for node in violation['nodes']][:3]}" for violation in found]
