"""The interactive API documentation renders in Chromium from local files, under the site's CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_swagger_ui_lists_the_endpoints_without_outside_requests(live_server, new_page):
    page = new_page()
    console_errors, outside, failed = [], [], []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("request", lambda request: not request.url.startswith(live_server.url) and outside.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    assert page.goto(f"{live_server.url}/api/v1/docs/").status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Faktencheck API")
    expect(page.locator(".opblock-summary-path").filter(has_text="/api/v1/claims/{slug}/claimreview/")).to_have_count(1)
    page.locator(".opblock-summary-path").filter(has_text="/api/v1/claims/similar/").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "de"
    assert outside == [] and failed == []
    assert console_errors == []
