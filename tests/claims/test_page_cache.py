from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from claims import cache as page_cache_module
from claims import services
from claims.cache import GENERATION_KEY, NEXT_DUE_KEY, cache_public_page, current_generation
from claims.choices import ClaimStatus
from tests.factories import ClaimFactory, CorrectionFactory

pytestmark = pytest.mark.django_db


def publish_in_review(claim_kwargs, *, reporter, editor, publisher, capture, at=None):
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter, approved_by=editor, **claim_kwargs)
    with capture(execute=True):
        services.publish(claim=claim, user=publisher, at=at)
    return claim


def test_anonymous_page_is_shared_until_a_claim_is_published(
    client, page_cache, reporter, editor, publisher, django_capture_on_commit_callbacks
):
    ClaimFactory(text="ERSTER-CHECK")
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    second = Client().get("/")
    assert second["X-Page-Cache"] == "hit"
    assert "ERSTER-CHECK" in second.content.decode()

    publish_in_review(
        {"text": "NEU-VEROEFFENTLICHT"},
        reporter=reporter,
        editor=editor,
        publisher=publisher,
        capture=django_capture_on_commit_callbacks,
    )
    after = client.get("/")
    assert after["X-Page-Cache"] == "miss"
    assert "NEU-VEROEFFENTLICHT" in after.content.decode()


def test_withdrawal_removes_the_claim_from_cached_pages(client, page_cache, publisher, django_capture_on_commit_callbacks):
    claim = ClaimFactory(text="BALD-ZURUECKGEZOGEN")
    assert client.get(claim.get_absolute_url()).status_code == 200
    assert client.get(claim.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(claim=claim, user=publisher, note="Quelle nicht belastbar.")
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert "BALD-ZURUECKGEZOGEN" not in client.get("/").content.decode()


def test_editing_a_draft_does_not_invalidate_public_pages(page_cache, reporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.create_claim(author=reporter, text="Nur ein Entwurf")
    assert callbacks == []


def test_a_correction_invalidates_public_pages(page_cache, django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    before = current_generation()
    with django_capture_on_commit_callbacks(execute=True):
        CorrectionFactory(claim=claim)
    assert current_generation() == before + 1


def test_staff_get_fresh_pages_and_previews_are_never_stored(client, page_cache, editor):
    ClaimFactory(text="OEFFENTLICH")
    draft = ClaimFactory(text="GEHEIMER-ENTWURF", status=ClaimStatus.DRAFT, published_at=None, rating=None, conclusion="")
    assert Client().get("/")["X-Page-Cache"] == "miss"
    client.force_login(editor)
    preview = client.get(draft.get_absolute_url())
    assert "X-Page-Cache" not in preview
    assert "no-store" in preview["Cache-Control"]
    staff_home = client.get("/")
    assert "X-Page-Cache" not in staff_home
    assert "private" in staff_home["Cache-Control"]

    anonymous = Client()
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    home = anonymous.get("/")
    assert home["X-Page-Cache"] == "hit"
    assert "GEHEIMER-ENTWURF" not in home.content.decode()


def test_scheduled_claim_appears_in_cached_pages_when_due(
    client, page_cache, reporter, editor, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    due = timezone.now() + timedelta(hours=1)
    publish_in_review(
        {"text": "GEPLANT-FUER-SPAETER"},
        reporter=reporter,
        editor=editor,
        publisher=publisher,
        capture=django_capture_on_commit_callbacks,
        at=due,
    )
    assert cache.get(NEXT_DUE_KEY) == pytest.approx(due.timestamp())
    assert "GEPLANT-FUER-SPAETER" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"

    later = due + timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("claims.cache.time.time", lambda: later.timestamp())
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "GEPLANT-FUER-SPAETER" in response.content.decode()


def test_cached_page_has_a_language_switch_that_works_for_every_reader(page_cache):
    ClaimFactory()
    Client().get("/")
    reader = Client(enforce_csrf_checks=True)
    page = reader.get("/")
    assert page["X-Page-Cache"] == "hit"
    # The page holds nothing per reader: no CSRF token, no cookie.
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert not page.cookies
    response = reader.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert reader.cookies["django_language"].value == "en"


def test_language_versions_are_cached_separately(page_cache):
    ClaimFactory()
    assert Client().get("/")["X-Page-Cache"] == "miss"
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    assert english["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in english.content.decode()


def test_public_pages_tell_cdns_what_to_cache_and_purge(client, page_cache):
    claim = ClaimFactory()
    response = client.get(claim.get_absolute_url())
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert "s-maxage=60" in response["Cache-Control"]
    assert response["Surrogate-Key"].split() == ["fc-public", f"claim-{claim.pk}"]
    assert response["Cache-Tag"] == f"fc-public,claim-{claim.pk}"
    assert client.get(claim.get_absolute_url())["Surrogate-Key"] == response["Surrogate-Key"]
    assert client.get("/faktenchecks/")["Surrogate-Key"] == "fc-public claim-list"


def test_pages_still_work_when_the_shared_cache_is_down(client, page_cache, monkeypatch):
    ClaimFactory(text="OHNE-CACHE")

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreachable)
    response = client.get("/")
    assert response.status_code == 200
    assert "OHNE-CACHE" in response.content.decode()


def test_generation_survives_a_cache_flush_without_reusing_old_numbers(page_cache):
    first = current_generation()
    cache.delete(GENERATION_KEY)
    assert current_generation() >= first


def test_function_views_and_feeds_share_the_same_cache(rf, page_cache):
    calls = []

    def feed(request):
        calls.append(request)
        return HttpResponse("<rss/>", content_type="application/rss+xml")

    cached_feed = cache_public_page(feed)
    request = rf.get("/feed/")
    request.user = AnonymousUser()
    first = cached_feed(request)
    assert first["X-Page-Cache"] == "miss"
    assert first["Surrogate-Key"] == "fc-public"
    second = rf.get("/feed/")
    second.user = AnonymousUser()
    assert cached_feed(second)["X-Page-Cache"] == "hit"
    assert len(calls) == 1


class CountingCache:
    """The shared cache, counting its round trips for page lookups."""

    def __init__(self, real):
        self.real, self.get_many_calls = real, 0

    def get_many(self, keys):
        self.get_many_calls += 1
        return self.real.get_many(keys)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def recent_pages_on(settings, page_cache, monkeypatch):
    settings.PUBLIC_FRESHNESS_SECONDS = 60
    settings.PUBLIC_RECENT_PAGES = 2
    counting = CountingCache(cache)
    monkeypatch.setattr(page_cache_module, "cache", counting)
    return counting


def test_a_worker_serves_its_recent_pages_without_a_round_trip(recent_pages_on):
    ClaimFactory(text="ERSTER-CHECK")
    assert Client().get("/")["X-Page-Cache"] == "miss"
    assert Client().get("/")["X-Page-Cache"] == "hit"  # from the shared cache, now held here
    calls = recent_pages_on.get_many_calls
    again = Client().get("/")
    assert again["X-Page-Cache"] == "hit" and "ERSTER-CHECK" in again.content.decode()
    assert recent_pages_on.get_many_calls == calls
    # Languages are different pages, also here.
    english = Client(headers={"accept-language": "en"}).get("/")
    assert english["Content-Language"] == "en" and english["X-Page-Cache"] == "miss"


def test_recent_pages_are_bounded_and_least_recently_served_go_first(recent_pages_on):
    claims = ClaimFactory.create_batch(3)
    for claim in claims:
        Client().get(claim.get_absolute_url())
        Client().get(claim.get_absolute_url())  # now held here
    calls = recent_pages_on.get_many_calls
    Client().get(claims[2].get_absolute_url())
    Client().get(claims[1].get_absolute_url())
    assert recent_pages_on.get_many_calls == calls
    assert Client().get(claims[0].get_absolute_url())["X-Page-Cache"] == "hit"  # dropped here, still shared
    assert recent_pages_on.get_many_calls == calls + 1


def test_a_publish_on_this_worker_shows_at_once_on_another_within_the_freshness_time(
    recent_pages_on, reporter, editor, publisher, django_capture_on_commit_callbacks
):
    ClaimFactory(text="ERSTER-CHECK")
    Client().get("/")
    Client().get("/")
    # Another worker publishes: the shared generation moves on, this worker's memory does not.
    ClaimFactory(text="ANDERER-WORKER")
    page_cache_module.invalidate_public_pages()
    assert "ANDERER-WORKER" not in Client().get("/").content.decode()
    page_cache_module.recent_pages._expires = 0.0  # the freshness time has passed
    fresh = Client().get("/")
    assert fresh["X-Page-Cache"] == "miss" and "ANDERER-WORKER" in fresh.content.decode()
    Client().get("/")
    # This worker publishes: it forgets its pages once the change is committed.
    publish_in_review(
        {"text": "NEU-VEROEFFENTLICHT"},
        reporter=reporter,
        editor=editor,
        publisher=publisher,
        capture=django_capture_on_commit_callbacks,
    )
    assert "NEU-VEROEFFENTLICHT" in Client().get("/").content.decode()


def test_recent_pages_are_off_without_a_freshness_time(recent_pages_on, settings):
    settings.PUBLIC_FRESHNESS_SECONDS = 0
    ClaimFactory()
    Client().get("/")
    assert Client().get("/")["X-Page-Cache"] == "hit"
    calls = recent_pages_on.get_many_calls
    assert Client().get("/")["X-Page-Cache"] == "hit"
    assert recent_pages_on.get_many_calls == calls + 1  # every hit asks the shared cache
