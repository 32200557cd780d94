"""Every list endpoint runs a fixed number of queries, whatever the page size and the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AppearanceFactory, ClaimFactory, CorrectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/claims/",
    "/api/v1/claims/?ordering=updated_at&rating=falsch",
    "/api/v1/claims/?q=Windkraft",
    "/api/v1/claims/claimreview/",
    "/api/v1/claimants/",
    "/api/v1/corrections/",
    "/api/v1/sources/",
    "/api/v1/ratings/",
]


def add_claims(count):
    topic = TopicFactory()
    for _ in range(count):
        appearance = AppearanceFactory()
        appearance.claim.topics.add(topic, TopicFactory())
        CorrectionFactory(claim=appearance.claim)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("caller", ["api", "partner_api"])
def test_list_query_count_is_constant_in_data_and_page_size(request, caller, url):
    client = request.getfixturevalue(caller)
    client.get("/api/v1/ratings/")  # a key's first request also records its last use
    add_claims(2)
    small = count_queries(client, url + ("&" if "?" in url else "?") + "page_size=1")
    add_claims(6)
    large = count_queries(client, url + ("&" if "?" in url else "?") + "page_size=100")
    assert small == large, f"{url}: {small} queries for one item, {large} for eight"
    assert large <= 8


def test_claim_detail_query_count_is_constant_in_appearances_and_corrections(api):
    claim = ClaimFactory()
    AppearanceFactory(claim=claim)
    before = count_queries(api, f"/api/v1/claims/{claim.slug}/")
    for _ in range(4):
        AppearanceFactory(claim=claim)
        CorrectionFactory(claim=claim)
    assert count_queries(api, f"/api/v1/claims/{claim.slug}/") == before


def test_similar_query_count_is_constant_in_matches(api):
    ClaimFactory(text="Windkraft liefert die Hälfte des Stroms")
    api.post("/api/v1/claims/similar/", {"text": "Windkraft liefert Strom"}, format="json")  # warms per-process lookups
    with CaptureQueriesContext(connection) as few:
        api.post("/api/v1/claims/similar/", {"text": "Windkraft liefert Strom"}, format="json")
    for _ in range(4):
        ClaimFactory(text="Windkraft liefert die Hälfte des Stroms")
    with CaptureQueriesContext(connection) as many:
        response = api.post("/api/v1/claims/similar/", {"text": "Windkraft liefert Strom"}, format="json")
    assert len(response.json()) == 5
    assert len(few.captured_queries) == len(many.captured_queries)
