"""Anonymous readers get stored pages and 304s before sessions, CSRF, authentication and the view."""

import pytest
from django.test import Client
from django.utils import timezone

from claims import freshness, services
from claims.choices import CorrectionKind
from claims.models import Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def remembered_version(settings):
    settings.PUBLIC_FRESHNESS_SECONDS = 60
    freshness.forget_site_version()
    yield
    freshness.forget_site_version()


def test_a_stored_page_is_served_without_a_query_and_with_every_header(client, page_cache, django_assert_num_queries):
    claim = ClaimFactory(text="GESPEICHERTE-SEITE")
    first = client.get(claim.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = Client().get(claim.get_absolute_url())
    assert hit.status_code == 200
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    for header in ("ETag", "Last-Modified", "Cache-Control", "Surrogate-Key", "Content-Security-Policy", "X-Frame-Options"):
        assert hit[header] == first[header], header
    assert hit["Content-Language"] == "de"


def test_a_stored_page_answers_304_to_a_current_copy(client, page_cache, django_assert_num_queries):
    claim = ClaimFactory()
    etag = client.get(claim.get_absolute_url())["ETag"]
    with django_assert_num_queries(0):
        response = Client().get(claim.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_the_stored_page_is_per_language(client, page_cache):
    claim = ClaimFactory()
    client.get(claim.get_absolute_url())
    english = Client(headers={"Accept-Language": "en"})
    response = english.get(claim.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert response["Content-Language"] == "en"
    assert "Where the claim appears" in response.content.decode()
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "en"
    hit = by_cookie.get(claim.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Language"] == "en"
    assert hit.content == response.content


def test_revalidation_without_the_page_cache_costs_one_query(client, django_assert_num_queries):
    claim = ClaimFactory()
    first = client.get(claim.get_absolute_url())
    with django_assert_num_queries(1):
        response = Client().get(claim.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert "public" in response["Cache-Control"]
    assert response["Vary"] == "Accept-Language, Cookie"


def test_a_changed_page_is_rendered_again(client, publisher, django_capture_on_commit_callbacks):
    claim = ClaimFactory(text="VOR-DER-KORREKTUR")
    etag = client.get(claim.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(claim=claim, user=publisher, note="Nicht belastbar.")
    response = Client().get(claim.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 404


def test_readers_with_a_session_go_the_long_way(client, page_cache, publisher):
    claim = ClaimFactory(text="OEFFENTLICH")
    Client().get(claim.get_absolute_url())
    client.force_login(publisher)
    response = client.get(claim.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_the_api_is_not_answered_before_its_throttles(client, page_cache, settings):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.slug}/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    hit = Client().get(url)
    assert hit["X-Page-Cache"] == "hit"
    # Only the view path puts the API's body-hash ETag on a stored API answer.
    assert hit["ETag"]


def test_a_worker_reuses_the_site_version_until_it_expires(client, remembered_version, monkeypatch, django_assert_num_queries):
    claim = ClaimFactory(text="ERINNERT")
    etag = client.get(claim.get_absolute_url())["ETag"]
    with django_assert_num_queries(0):
        assert Client().get(claim.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 304
    # Another worker changes the claim (no signal reaches this one): seen once the second is over.
    Claim.objects.filter(pk=claim.pk).update(text="GEAENDERT", updated_at=timezone.now())
    later = freshness.time.monotonic() + 61
    monkeypatch.setattr(freshness.time, "monotonic", lambda: later)
    response = Client().get(claim.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "GEAENDERT" in response.content.decode()


def test_a_change_committed_by_this_worker_is_seen_at_once(client, remembered_version, publisher, django_capture_on_commit_callbacks):
    claim = ClaimFactory(text="SOFORT")
    etag = client.get(claim.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_claim(
            claim=claim, user=publisher, kind=CorrectionKind.UPDATE, note="Zahl präzisiert.", new_conclusion="Neues Fazit."
        )
    response = Client().get(claim.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Zahl präzisiert." in response.content.decode()


def test_other_anonymous_requests_cost_no_extra_cache_lookup(client, page_cache, monkeypatch):
    from claims import cache as shared

    claim = ClaimFactory()
    lookups = []
    real_lookup = shared.lookup
    monkeypatch.setattr(shared, "lookup", lambda *args, **kwargs: lookups.append(1) or real_lookup(*args, **kwargs))
    client.get(f"/api/v1/claims/{claim.slug}/")
    assert len(lookups) == 1  # the API view's own, after its throttles
    lookups.clear()
    client.get(claim.get_absolute_url())
    assert len(lookups) == 2  # a public page: before the view, and (a miss) in it
    lookups.clear()
    assert Client().get(claim.get_absolute_url())["X-Page-Cache"] == "hit"
    assert len(lookups) == 1
