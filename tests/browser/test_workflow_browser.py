"""The whole newsroom workflow in a real browser: reporter → editor → duty editor → reader."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from claims import roles
from claims.choices import ClaimStatus
from claims.models import Claim
from tests.factories import SourceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "geheim-passwort-123"
CLAIM_TEXT = "Windkraft lieferte 42 Prozent des Stroms"
QUOTE = "Nach Angaben der Regierung sind 42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden."


def member(group_name, username, first_name):
    user = UserFactory(username=username, first_name=first_name, last_name="Muster", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def sign_in(page, base_url, user):
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def run_step(page, change_url, label):
    """Click a workflow button on the claim page and confirm it on its intermediate page."""
    page.goto(change_url)
    page.click(f"ul.object-tools a:text-is('{label}')")
    page.click("#workflow-form input[type=submit]")
    page.wait_for_url(change_url)
    assert page.locator("ul.messagelist li.success").count() == 1, page.content()


def test_reporter_editor_and_duty_editor_publish_a_claim_readers_then_see(live_server, new_page):
    base = live_server.url
    reporter = member(roles.REPORTER, "reporterin", "Rita")
    editor = member(roles.EDITOR, "redakteur", "Emil")
    publisher = member(roles.PUBLISHER, "cvd", "Paula")
    source = SourceFactory(title="Bundestag debattiert Energiepolitik")

    # The reporter writes the claim with a quote from the archived article and submits it.
    page = new_page()
    sign_in(page, base, reporter)
    page.goto(f"{base}/admin/claims/claim/add/")
    page.fill("#id_text", CLAIM_TEXT)
    page.select_option("#id_rating", label="Falsch")
    page.fill("#id_conclusion", "Laut Bundesnetzagentur waren es 31 Prozent.")
    page.click("#appearances-0 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "Energiepolitik")
    page.click(f".select2-results__option:has-text('{source.title}')")
    page.fill("#id_appearances-0-quote", QUOTE)
    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(r".*/admin/claims/claim/\d+/change/$"))
    change_url = page.url
    preview_url = page.get_attribute(".field-preview_link a", "href")
    assert page.locator("#workflow-status").inner_text().count("Entwurf") == 1
    run_step(page, change_url, "Zur Prüfung einreichen")
    assert "In Prüfung" in page.locator("#workflow-status").inner_text()

    # Before publication a reader gets nothing, while staff see a marked preview.
    reader = new_page()
    assert reader.goto(f"{base}{preview_url}").status == 404
    preview = page.goto(f"{base}{preview_url}")
    assert "no-store" in preview.headers["cache-control"]
    assert page.locator(".preview-banner").is_visible()

    # The editor reviews and approves (four eyes: not the author).
    page = new_page()
    sign_in(page, base, editor)
    run_step(page, change_url, "Freigeben")
    assert "Emil Muster" in page.locator("#workflow-status").inner_text()

    # The duty editor publishes now (the form is pre-filled with the current time).
    page = new_page()
    sign_in(page, base, publisher)
    run_step(page, change_url, "Veröffentlichen")
    assert "Veröffentlicht" in page.locator("#workflow-status").inner_text()
    assert page.locator("#claim-events").inner_text().count("veröffentlicht") == 1

    # An anonymous reader now sees the fact-check with the highlighted quote and the reviewer.
    response = reader.goto(f"{base}{preview_url}")
    assert response.status == 200
    assert reader.locator("h1").inner_text() == CLAIM_TEXT
    assert reader.locator(".preview-banner").count() == 0
    assert "42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden" in reader.locator("blockquote mark").inner_text()
    assert "Emil Muster" in reader.locator("footer.byline").inner_text()  # the approving editor is named
    assert "public" in response.headers["cache-control"]

    claim = Claim.objects.get(text=CLAIM_TEXT)
    assert (claim.status, claim.author, claim.approved_by) == (ClaimStatus.PUBLISHED, reporter, editor)
    assert claim.is_public


def test_second_of_two_editors_saving_the_same_claim_is_told_and_keeps_the_input(live_server, new_page):
    base = live_server.url
    first_editor = member(roles.EDITOR, "erste", "Erika")
    second_editor = member(roles.EDITOR, "zweiter", "Zoltan")
    claim = Claim.objects.create(text="Gemeinsam bearbeitete Behauptung", author=UserFactory(), context="Alt.")
    change_url = f"{base}/admin/claims/claim/{claim.pk}/change/"
    first, second = new_page(), new_page()
    sign_in(first, base, first_editor)
    sign_in(second, base, second_editor)
    first.goto(change_url)
    second.goto(change_url)

    first.fill("#id_context", "Fassung von Erika.")
    first.click("input[name=_continue]")
    expect(first.locator("ul.messagelist li.success")).to_have_count(1)

    second.fill("#id_context", "Fassung von Zoltan.")
    second.click("input[name=_continue]")
    expect(second.locator("ul.errorlist.nonfield")).to_contain_text("Konflikt: Erika Muster hat diesen Faktencheck")
    assert second.input_value("#id_context") == "Fassung von Zoltan."
    claim.refresh_from_db()
    assert claim.context == "Fassung von Erika."
