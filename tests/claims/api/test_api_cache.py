import pytest
from rest_framework.test import APIClient

from claims import services
from claims.choices import ClaimStatus
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_anonymous_api_reads_are_shared_and_revalidate(api, page_cache):
    claim = ClaimFactory(text="API-GECACHT")
    first = api.get("/api/v1/claims/")
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    second = APIClient().get("/api/v1/claims/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "s-maxage=60" in second["Cache-Control"]
    assert second["Surrogate-Key"] == "fc-public claim-list"
    assert APIClient().get("/api/v1/claims/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    detail = api.get(f"/api/v1/claims/{claim.slug}/")
    assert detail["Surrogate-Key"] == f"fc-public claim-{claim.pk}"


def test_a_publish_reaches_cached_api_lists(api, page_cache, reporter, editor, publisher, django_capture_on_commit_callbacks):
    ClaimFactory()
    assert api.get("/api/v1/claims/")["X-Page-Cache"] == "miss"
    claim = ClaimFactory(text="API-NEU", status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter, approved_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(claim=claim, user=publisher)
    response = api.get("/api/v1/claims/")
    assert response["X-Page-Cache"] == "miss"
    assert "API-NEU" in response.content.decode()


def test_partner_answers_are_cached_per_key_and_private(partner_api, api, page_cache):
    ClaimFactory()
    assert partner_api.get("/api/v1/claims/")["X-Page-Cache"] == "miss"
    again = partner_api.get("/api/v1/claims/")
    assert again["X-Page-Cache"] == "hit"
    assert "private" in again["Cache-Control"]
    assert "Surrogate-Key" not in again
    assert api.get("/api/v1/claims/")["X-Page-Cache"] == "miss"


def test_wrong_key_is_refused_even_when_the_list_is_cached(partner_api, page_cache):
    ClaimFactory()
    partner_api.get("/api/v1/claims/")
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Api-Key falsch.falsch")
    assert stranger.get("/api/v1/claims/").status_code == 401


def test_staff_api_reads_are_never_cached_and_previews_never_leak(staff_api, api, page_cache):
    draft = ClaimFactory(text="API-ENTWURF", status=ClaimStatus.DRAFT, published_at=None, rating=None, conclusion="")
    preview = staff_api.get(f"/api/v1/claims/{draft.slug}/")
    assert preview.status_code == 200
    assert "X-Page-Cache" not in preview
    assert api.get(f"/api/v1/claims/{draft.slug}/").status_code == 404
