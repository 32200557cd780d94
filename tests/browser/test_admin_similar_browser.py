"""The duplicate warning in the claim form, typed into Debian's Chromium against a live server.

Proves the static script runs under the admin's Content-Security-Policy (no inline script)
and that the list follows the editor's typing.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from claims.choices import ClaimStatus
from tests.factories import ClaimFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_similar_claims_appear_while_the_editor_types(live_server, browser, editor):
    original = ClaimFactory(text="Deutschland ist der größte Unterstützer der Ukraine", author=None)
    draft = ClaimFactory(text="Litauen schickt Soldaten", status=ClaimStatus.DRAFT, published_at=None, author=None)
    client = Client()
    client.force_login(editor)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    console_errors, failed = [], []
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(f"{live_server.url}/admin/claims/claim/{draft.pk}/change/")
    panel = page.locator("#similar-claims")
    expect(panel).to_be_visible()
    expect(panel).not_to_contain_text(original.text)
    page.fill("#id_text", "")
    page.locator("#id_text").press_sequentially("Deutschland ist der wichtigste Unterstützer der Ukraine", delay=5)
    expect(panel.locator("li")).to_contain_text(original.text, timeout=10_000)
    duplicate_link = panel.locator("a.similar-duplicate")
    expect(duplicate_link).to_have_attribute("href", f"/admin/claims/claim/{draft.pk}/dublette/{original.pk}/")
    page.fill("#id_text", "Inflation")
    expect(panel.locator("li")).to_have_count(0, timeout=10_000)
    # A claim of the full 75 characters is visible in its field without scrolling.
    page.fill("#id_text", "Deutschland ist der größte Unterstützer der Ukraine, sagt der Bundeskanzler")
    assert page.locator("#id_text").evaluate("field => field.scrollWidth <= field.clientWidth")
    # Browsers ask for /favicon.ico on their own; everything the page itself loads must load.
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert not [error for error in console_errors if "Content Security Policy" in error or "Refused" in error]
