"""The lean list and export say exactly what the list and detail serializers say, in constant queries."""

import orjson
import pytest
from rest_framework.renderers import JSONRenderer

from claims.api import lean as export
from claims.api.serializers import ClaimDetailSerializer, ClaimListSerializer
from claims.api.views import with_detail
from claims.choices import ClaimStatus
from claims.models import Claim
from tests import factories


def serializer_lines(queryset):
    claims = with_detail(queryset).order_by("id")
    return [orjson.loads(JSONRenderer().render(ClaimDetailSerializer(claim).data)) for claim in claims]


@pytest.fixture
def archive(db, other_rating):
    topic_b, topic_a = factories.TopicFactory(name="Wirtschaft"), factories.TopicFactory(name="Energie")
    undated = factories.SourceFactory(published_at=None, outlet=None, agency="", author="Anna Weber")
    claims = []
    for number in range(5):
        claim = factories.ClaimFactory(text_long=f"Ausführlich {number}", claim_date=f"2025-03-0{number + 1}")
        claim.topics.set([topic_b, topic_a][: number % 3])
        factories.AppearanceFactory(claim=claim)
        factories.AppearanceFactory(claim=claim, is_first=True)
        if number == 1:
            factories.AppearanceFactory(claim=claim, source=undated)
        claims.append(claim)
    factories.CorrectionFactory(claim=claims[2], kind="verdict", old_rating=claims[2].rating, new_rating=other_rating)
    factories.CorrectionFactory(claim=claims[2], note="Zweite Korrektur.")
    Claim.objects.filter(pk=claims[3].pk).update(claimant=None, duplicate_of=claims[0])
    factories.ClaimFactory(status=ClaimStatus.DRAFT, text="GEHEIM-ENTWURF")
    return claims


def test_lean_export_equals_the_detail_serializer(archive):
    lines = [orjson.loads(line) for line in export.export_lines(Claim.objects.published())]
    assert lines == serializer_lines(Claim.objects.published())
    assert len(lines) == 5 and all(line["status"] == "published" for line in lines)


def test_lean_export_reads_in_chunks_by_id(archive, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    slugs = [orjson.loads(line)["slug"] for line in export.export_lines(Claim.objects.published())]
    assert slugs == list(Claim.objects.published().order_by("id").values_list("slug", flat=True))


def test_lean_export_queries_do_not_grow_with_the_claims_in_a_chunk(archive, django_assert_num_queries):
    # Per chunk: claims (claimant and rating joined), topics, appearances, corrections; then the empty chunk.
    with django_assert_num_queries(5):
        assert len(list(export.export_lines(Claim.objects.published()))) == 5
    factories.ClaimFactory.create_batch(10)
    with django_assert_num_queries(5):
        assert len(list(export.export_lines(Claim.objects.published()))) == 15


def test_export_endpoint_streams_the_lean_lines(archive, client):
    response = client.get("/api/v1/claims/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    body = b"".join(response.streaming_content)
    assert [orjson.loads(line) for line in body.splitlines()] == serializer_lines(Claim.objects.published())
    assert b"GEHEIM-ENTWURF" not in body


def test_lean_list_pages_equal_the_list_serializer(archive, client):
    expected = [
        orjson.loads(JSONRenderer().render(ClaimListSerializer(claim).data))
        for claim in Claim.objects.published().select_related("claimant", "rating__scale").order_by("-published_at", "-id")
    ]
    first = client.get("/api/v1/claims/?page_size=3").json()
    second = client.get(first["next"]).json()
    assert first["results"] + second["results"] == expected
    assert second["next"] is None


def test_lean_list_queries_do_not_grow_with_the_page(archive, client, django_assert_max_num_queries):
    client.get("/api/v1/claims/?page_size=2")
    factories.ClaimFactory.create_batch(20)
    with django_assert_max_num_queries(2) as small:
        client.get("/api/v1/claims/?page_size=2")
    assert len(small.captured_queries) >= 2  # really read from the database
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/v1/claims/?page_size=20").json()["results"]) == 20


def test_api_detail_equals_the_detail_serializer(archive, client, django_assert_num_queries):
    for claim in archive:
        # Claim (claimant and rating joined), topics, appearances, corrections.
        with django_assert_num_queries(4):
            response = client.get(f"/api/v1/claims/{claim.slug}/")
        assert response.status_code == 200
        assert response.json() == serializer_lines(Claim.objects.filter(pk=claim.pk))[0]
        assert f"claim-{claim.pk}" in response["Surrogate-Key"].split()


def test_api_detail_of_a_draft_is_a_json_404(archive, client):
    draft = Claim.objects.get(text="GEHEIM-ENTWURF")
    response = client.get(f"/api/v1/claims/{draft.slug}/")
    assert response.status_code == 404
    assert "GEHEIM" not in response.content.decode()
    assert response["Content-Type"].startswith("application/json")
