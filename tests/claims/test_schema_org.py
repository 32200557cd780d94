import datetime

import extruct
import pytest
from django.test import RequestFactory
from django.utils import timezone
from lxml import html as lxml_html

from claims import services
from claims.choices import ClaimantKind
from claims.models import Claim, Rating
from claims.schema_org import claim_review, with_claim_review_data
from claims.templatetags.public import json_ld
from tests.factories import AppearanceFactory, ClaimantFactory, ClaimFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def extract(response) -> dict:
    data = extruct.extract(response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld", "opengraph"], uniform=True)
    return data


def claim_review_of(response) -> dict:
    reviews = [item for item in extract(response)["json-ld"] if item.get("@type") == "ClaimReview"]
    assert len(reviews) == 1
    return reviews[0]


@pytest.fixture
def reviewed_claim(publisher):
    claimant = ClaimantFactory(name="Dmitri Peskow", role="Kremlsprecher")
    claim = ClaimFactory(text="Europäische Truppen wären legitime Ziele", claimant=claimant, claim_date=datetime.date(2025, 9, 4))
    older = SourceFactory(
        title="Erster Bericht", url="https://zeitung.example/erster", published_at=timezone.now() - timezone.timedelta(days=9)
    )
    newer = SourceFactory(title="Späterer Bericht", url="", published_at=timezone.now() - timezone.timedelta(days=2))
    services.add_appearance(claim=claim, source=newer, quote="Wir stehen zu jeder einzelnen Zahl.")
    services.add_appearance(claim=claim, source=older, quote="Die Opposition sprach von „geschönten Zahlen“")
    claim.approved_by = UserFactory(first_name="Petra", last_name="Prüferin")
    claim.save()
    return claim


def test_claim_page_embeds_claim_review_that_matches_visible_content(client, reviewed_claim):
    response = client.get(reviewed_claim.get_absolute_url())
    html = response.content.decode()
    review = claim_review_of(response)
    tree = lxml_html.fromstring(html)

    assert review["claimReviewed"] == reviewed_claim.text == tree.findtext(".//h1").strip()
    assert review["url"] == f"http://testserver{reviewed_claim.get_absolute_url()}"
    rating = review["reviewRating"]
    badge = tree.find_class("rating-badge")[0].text_content().strip()
    assert rating["alternateName"] == "Falsch" == badge
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (
        reviewed_claim.rating.value,
        reviewed_claim.rating.scale.best_value,
        reviewed_claim.rating.scale.worst_value,
    )
    assert rating["ratingExplanation"] == reviewed_claim.conclusion
    assert reviewed_claim.conclusion in html
    assert review["author"]["@type"] == "Organization"

    # Dates: the visible <time> elements carry the same instants as the JSON-LD.
    published = datetime.datetime.fromisoformat(review["datePublished"])
    assert published == reviewed_claim.published_at.replace(microsecond=0)
    visible_times = {
        datetime.datetime.fromisoformat(value).replace(microsecond=0)
        for value in tree.xpath("//footer[@class='byline']//time/@datetime")
        if "T" in value
    }
    assert published in visible_times
    assert datetime.datetime.fromisoformat(review["dateModified"]) in visible_times

    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Dmitri Peskow", "jobTitle": "Kremlsprecher"}
    assert item["datePublished"] == "2025-09-04"
    # The earliest article is the first appearance, and the timeline lists it first.
    assert item["firstAppearance"]["headline"] == "Erster Bericht"
    assert item["firstAppearance"]["url"] == "https://zeitung.example/erster"
    assert [work["headline"] for work in item["appearance"]] == ["Erster Bericht", "Späterer Bericht"]
    later = item["appearance"][1]
    assert later["url"] == later["archivedAt"]
    assert later["archivedAt"].startswith("http://testserver/quellen/")
    timeline = [link.text_content() for link in tree.xpath("//ol[@class='timeline']/li/p[@class='source-ref']/a[1]")]
    assert timeline == ["Erster Bericht", "Späterer Bericht"]


def test_claim_page_has_opengraph_tags(client, reviewed_claim):
    response = client.get(reviewed_claim.get_absolute_url())
    og = extract(response)["opengraph"][0]
    assert og["og:title"] == f"Faktencheck: {reviewed_claim.text}"
    assert og["og:url"] == f"http://testserver{reviewed_claim.get_absolute_url()}"
    assert og["og:description"].startswith("Falsch: ")
    assert og["@type"] == "article"


def test_english_interface_reviews_with_english_label(client, reviewed_claim):
    client.cookies["django_language"] = "en"
    response = client.get(reviewed_claim.get_absolute_url())
    assert claim_review_of(response)["reviewRating"]["alternateName"] == reviewed_claim.rating.label_en


def test_organisation_claimant_is_an_organization(client):
    claim = ClaimFactory(claimant=ClaimantFactory(name="Kreml", role="Präsidialverwaltung", kind=ClaimantKind.ORGANISATION))
    AppearanceFactory(claim=claim)
    review = claim_review_of(client.get(claim.get_absolute_url()))
    assert review["itemReviewed"]["author"]["@type"] == "Organization"


def test_builder_runs_no_queries_on_a_prepared_claim(django_assert_num_queries, reviewed_claim):
    claim = with_claim_review_data(Claim.objects.published()).get(pk=reviewed_claim.pk)
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        review = claim_review(claim, request)
    assert review["@type"] == "ClaimReview"


def test_json_ld_cannot_be_closed_by_claim_text(client):
    claim = ClaimFactory(text="</script><script>alert(1)</script>")
    AppearanceFactory(claim=claim)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert claim_review_of(client.get(claim.get_absolute_url()))["claimReviewed"] == claim.text


def test_json_ld_escapes_what_could_end_the_element_as_json_script_does():
    data = {"claimReviewed": "A & B </script> <!-- „Zitat“ >", "ratingValue": 2}
    assert json_ld(data) == (
        '<script type="application/ld+json">'
        '{"claimReviewed": "A \\u0026 B \\u003C/script\\u003E \\u003C!-- „Zitat“ \\u003E", "ratingValue": 2}</script>'
    )


def test_staff_preview_has_no_claim_review(client, editor):
    claim = ClaimFactory(status="draft", published_at=None, rating=Rating.objects.get(scale__is_default=True, slug="falsch"))
    client.force_login(editor)
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert extract(response)["json-ld"] == []
