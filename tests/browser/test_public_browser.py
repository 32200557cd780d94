"""Readers' pages in real Chromium at desktop and phone width: screenshots plus what they must show."""

import base64
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from claims import services
from claims.models import Rating
from tests.factories import AppearanceFactory, ClaimantFactory, ClaimFactory, SourceFactory, TopicFactory, UserFactory

from .conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
WIDTHS = {"desktop": 1280, "mobile": 375}

# Decodes a PNG in a blank page (no site CSP there) and reports how much of it is not background.
PIXEL_STATS = """async (dataUrl) => {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  const colours = new Set();
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] + data[i + 1] + data[i + 2] < 600) ink++;
  }
  return {colours: colours.size, ink: ink / (data.length / 4)};
}"""


def relative_luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in rgb.removeprefix("rgb(").removesuffix(")").split(",")[:3])

    def channel(value):
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture
def published_claim(publisher):
    long_title = "Außenministerium-Pressekonferenz-Zusammenfassung-ohne-Leerzeichen-" * 3
    source = SourceFactory(
        title=long_title,
        url="https://zeitung.example/" + "sehr-langer-pfad/" * 12,
        published_at=timezone.now() - timezone.timedelta(days=4),
    )
    claim = ClaimFactory(
        text="42 Prozent des Stroms kamen aus Windkraft",
        conclusion="Laut Bundesnetzagentur waren es 31 Prozent; die Zahl ist zu hoch.",
        author=UserFactory(first_name="Erika", last_name="Autorin"),
        approved_by=UserFactory(first_name="Petra", last_name="Prüferin"),
    )
    appearance = AppearanceFactory(claim=claim, source=source)
    services.correct_claim(
        claim=claim,
        user=publisher,
        kind="verdict",
        note="Neue Jahreszahlen.",
        new_rating=Rating.objects.get(scale__is_default=True, slug="teilweise-falsch"),
    )
    return claim, appearance


def check_page(page, analyser, name: str, width: int):
    """Screenshot, then the checks every reader page must pass at this width."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = page.screenshot(path=str(ARTIFACTS / f"public-{name}-{width}.png"), full_page=True)
    stats = analyser.evaluate(PIXEL_STATS, "data:image/png;base64," + base64.b64encode(shot).decode())
    assert stats["colours"] > 20, f"{name}@{width}: screenshot is nearly uniform"
    assert 0.01 < stats["ink"] < 0.9, f"{name}@{width}: screenshot is blank or solid ({stats})"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}@{width}: page scrolls sideways by {overflow}px"
    for landmark in ("header[role=banner]", "main#main", "footer[role=contentinfo]", "nav"):
        assert page.locator(landmark).first.is_visible(), f"{name}@{width}: {landmark} not visible"
    assert page.locator("h1").count() == 1
    heading = page.locator("h1").bounding_box()
    assert heading and heading["x"] >= 0 and heading["x"] + heading["width"] <= width + 1
    assert accessibility_violations(page) == [], f"{name}@{width}"


@pytest.mark.parametrize("device", list(WIDTHS))
def test_home_claim_and_source_pages_render_for_readers(live_server, new_page, published_claim, device):
    claim, appearance = published_claim
    width = WIDTHS[device]
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    problems = []
    page.on("console", lambda message: message.type == "error" and "status of 404" not in message.text and problems.append(message.text))
    page.on("response", lambda response: response.status >= 400 and "favicon" not in response.url and problems.append(response.url))
    analyser = new_page()

    page.goto(f"{live_server.url}/")
    badge = page.locator(".rating-badge").first
    assert badge.is_visible()
    assert badge.inner_text() == "Teilweise falsch"
    check_page(page, analyser, "home", width)

    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    assert page.locator("h1").inner_text() == claim.text
    # Correction notice first, then the verdict with a readable badge from /bewertungen.css.
    assert page.locator(".corrections").bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    verdict_badge = page.locator(".verdict .rating-badge")
    colours = verdict_badge.evaluate("element => [getComputedStyle(element).color, getComputedStyle(element).backgroundColor]")
    assert colours[1] != "rgba(0, 0, 0, 0)", "badge colour stylesheet not applied"
    assert contrast(*colours) >= 4.5
    assert page.locator(".timeline mark").first.is_visible()
    assert "Erika Autorin" in page.locator(".byline").inner_text()
    assert "Petra Prüferin" in page.locator(".byline").inner_text()
    check_page(page, analyser, "claim", width)

    page.locator(".timeline .source-ref a").first.click()
    page.wait_for_url(f"**{appearance.source.get_absolute_url()}#quote-{appearance.pk}")
    quote = page.locator(f"#quote-{appearance.pk}")
    assert quote.is_visible()
    assert quote.locator("a").get_attribute("href") == claim.get_absolute_url()
    check_page(page, analyser, "source", width)

    assert not problems, problems


def test_reader_filters_the_claim_list_by_claimant_and_topic(live_server, new_page):
    claimant, topic = ClaimantFactory(name="Erika Beispiel"), TopicFactory(name="Energie")
    wanted = ClaimFactory(text="Windkraft deckt den ganzen Bedarf", claimant=claimant)
    wanted.topics.add(topic)
    ClaimFactory(text="Andere Behauptung").topics.add(TopicFactory(name="Migration"))
    page = new_page()
    page.goto(f"{live_server.url}/faktenchecks/")
    claimant_field = page.get_by_label("Urheber/in")
    assert claimant_field.get_attribute("list") == "claimant-suggestions"
    suggestions = page.locator("#claimant-suggestions option").evaluate_all("options => options.map(o => [o.value, o.label])")
    assert [claimant.slug, str(claimant)] in suggestions

    def results():
        return page.locator(".claim-card h3").all_inner_texts()

    claimant_field.fill(claimant.slug)
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(f"**claimant={claimant.slug}**")
    assert results() == [wanted.text]

    page.get_by_label("Urheber/in").fill("")
    page.get_by_label("Thema").select_option(label="Energie")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(f"**topic={topic.slug}**")
    assert results() == [wanted.text]

    page.get_by_label("Urheber/in").fill("niemand")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**claimant=niemand**")
    assert "Keine Urheberin und kein Urheber mit dem Namen oder Kurznamen „niemand“." in page.get_by_role("alert").inner_text()
    # The list with its filter form, and with an error in it, as assistive technology meets it.
    assert accessibility_violations(page) == []
    page.goto(f"{live_server.url}/faktenchecks/")
    assert accessibility_violations(page) == []


def test_search_ratings_and_corrections_pages_pass_the_accessibility_rules(live_server, new_page):
    claim = ClaimFactory(text="Windkraft deckt den ganzen Bedarf")
    services.correct_claim(claim=claim, user=UserFactory(is_staff=True, is_superuser=True), kind="update", note="Zahlen ergänzt.")
    page = new_page()
    for path in (
        "/suche/?q=Windkraft",
        "/suche/?q=Gezeitenkraftwerk",
        "/suche/?q=Windkrafd",
        "/bewertungen/",
        "/korrekturen/",
        claim.claimant.get_absolute_url(),
    ):
        assert page.goto(f"{live_server.url}{path}").status == 200
        assert accessibility_violations(page) == [], path
        if path.endswith("Windkrafd"):
            assert page.get_by_role("list", name="Ähnlich geschrieben").get_by_role("link").all_inner_texts() == [claim.text]


@pytest.mark.parametrize("device", list(WIDTHS))
def test_each_rating_checkbox_stays_on_the_line_of_its_label(live_server, new_page, device):
    ClaimFactory()
    page = new_page()
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.goto(f"{live_server.url}/faktenchecks/")
    choices = page.locator(".field-rating .choice")
    assert choices.count() == 6
    for index in range(choices.count()):
        box = choices.nth(index).locator("input").bounding_box()
        label = choices.nth(index).locator("label").bounding_box()
        assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < label["height"] / 2, (
            f"{device}: the box of „{choices.nth(index).inner_text().strip()}“ is on another line than its label"
        )
        assert box["x"] < label["x"]


def test_the_quote_a_claim_page_links_to_stands_out_among_the_other_quotes(live_server, new_page):
    source = SourceFactory()
    first = AppearanceFactory(source=source)
    AppearanceFactory(source=source, quote="Wir stehen zu jeder einzelnen Zahl.")
    page = new_page()
    page.goto(f"{live_server.url}{source.get_absolute_url()}")
    marks = page.locator(".source-text mark")
    assert marks.count() == 2
    plain = marks.nth(0).evaluate("element => getComputedStyle(element).outlineStyle")
    page.goto(f"{live_server.url}{source.get_absolute_url()}#quote-{first.pk}")
    targeted = page.locator(f"#quote-{first.pk}").evaluate("element => getComputedStyle(element).outlineStyle")
    other = marks.nth(1).evaluate("element => getComputedStyle(element).outlineStyle")
    assert plain == other == "none"
    assert targeted != "none", "the linked quote looks like every other quote"
