import json
import re

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from claims.choices import ClaimStatus
from claims.models import Claim
from claims.schema_org import claim_review, with_claim_review_data
from tests.factories import AppearanceFactory, ClaimFactory

pytestmark = pytest.mark.django_db


JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def embedded_claim_review(html: str) -> dict:
    blocks = [json.loads(block) for block in JSON_LD.findall(html)]
    [review] = [block for block in blocks if block.get("@type") == "ClaimReview"]
    return review


@pytest.mark.parametrize("language", ["de", "en"])
def test_claimreview_is_identical_to_the_json_ld_on_the_claim_page(api, client, language):
    claim = AppearanceFactory().claim
    client.cookies["django_language"] = language
    api.cookies["django_language"] = language
    page = client.get(claim.get_absolute_url())
    assert page.status_code == 200
    response = api.get(f"/api/v1/claims/{claim.slug}/claimreview/")
    assert response.status_code == 200
    assert response.json() == embedded_claim_review(page.content.decode())
    assert response.json()["reviewRating"]["alternateName"] == {"de": "Falsch", "en": "False"}[language]


@pytest.mark.parametrize(("language", "label"), [("de", "Falsch"), ("en", "False")])
def test_claimreview_is_the_shared_builder_output(api, rf, language, label):
    appearance = AppearanceFactory()
    claim = Claim.objects.get(pk=appearance.claim_id)
    response = api.get(f"/api/v1/claims/{claim.slug}/claimreview/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    with translation.override(language):
        expected = claim_review(with_claim_review_data(Claim.objects.filter(pk=claim.pk)).get(), rf.get("/"))
    assert response.json() == json.loads(json.dumps(expected, cls=DjangoJSONEncoder))
    assert response.json()["@type"] == "ClaimReview"
    assert response.json()["reviewRating"]["alternateName"] == label
    assert response.json()["itemReviewed"]["appearance"][0]["text"] == appearance.exact_quote


def test_claimreview_can_be_requested_as_json_ld(api):
    claim = AppearanceFactory().claim
    response = api.get(f"/api/v1/claims/{claim.slug}/claimreview/", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")


def test_claimreview_list_pages_published_claims_in_the_same_form(api):
    claims = [AppearanceFactory().claim for _ in range(3)]
    ClaimFactory(status=ClaimStatus.DRAFT, text="GEHEIM-ENTWURF-MARKER")
    body = api.get("/api/v1/claims/claimreview/", {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"]
    rest = api.get(body["next"]).json()
    reviews = body["results"] + rest["results"]
    assert len(reviews) == 3
    assert "GEHEIM" not in json.dumps(reviews)
    assert [review["url"] for review in reviews] == [f"http://testserver{c.get_absolute_url()}" for c in reversed(claims)]
    single = api.get(f"/api/v1/claims/{claims[-1].slug}/claimreview/").json()
    assert reviews[0] == single


def test_staff_get_no_claimreview_for_drafts(staff_api):
    draft = ClaimFactory(status=ClaimStatus.DRAFT, rating=None, conclusion="", published_at=None)
    assert staff_api.get(f"/api/v1/claims/{draft.slug}/claimreview/").status_code == 404


def test_claimreview_list_as_json_ld_is_one_graph_with_paging_in_link_headers(api):
    claims = [AppearanceFactory().claim for _ in range(3)]
    response = api.get("/api/v1/claims/claimreview/", {"page_size": 2, "format": "jsonld"})
    assert response["Content-Type"].startswith("application/ld+json")
    body = response.json()
    assert body["@context"] == "https://schema.org" and set(body) == {"@context", "@graph"}
    assert [review["@type"] for review in body["@graph"]] == ["ClaimReview", "ClaimReview"]
    assert not any("@context" in review for review in body["@graph"])
    [next_link] = re.findall(r'<([^>]+)>; rel="next"', response["Link"])
    rest = api.get(next_link, HTTP_ACCEPT="application/ld+json")
    assert [review["url"] for review in body["@graph"] + rest.json()["@graph"]] == [
        f"http://testserver{claim.get_absolute_url()}" for claim in reversed(claims)
    ]
    assert 'rel="prev"' in rest["Link"] and 'rel="next"' not in rest["Link"]
