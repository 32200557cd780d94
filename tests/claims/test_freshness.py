"""The validators behind conditional GET (ETag, Last-Modified) move with every change a reader can see."""

import pytest
from django.test import Client
from django.utils import timezone

from claims import cache as page_cache_module
from claims import freshness, services
from claims.choices import ClaimStatus
from claims.models import Appearance, Claim, PublicRevision
from tests.factories import AppearanceFactory, ClaimFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

CHANGED = "GEAENDERT-XYZ"


def _rename(obj, field):
    setattr(obj, field, CHANGED)
    obj.save()


@pytest.fixture
def shown(db):
    """A published claim with an appearance and a topic, and the public pages that show them."""
    appearance = AppearanceFactory()
    claim = appearance.claim
    topic = TopicFactory(name="Thema vorher")
    claim.topics.add(topic)
    urls = [claim.get_absolute_url(), appearance.source.get_absolute_url(), "/bewertungen/", "/"]
    return {"claim": claim, "appearance": appearance, "topic": topic, "urls": urls}


EDITS = {
    "claimant name": lambda shown: _rename(shown["claim"].claimant, "name"),
    "source title": lambda shown: _rename(shown["appearance"].source, "title"),
    "outlet name": lambda shown: _rename(shown["appearance"].source.outlet, "name"),
    "rating label": lambda shown: _rename(shown["claim"].rating, "label"),
    "topic name": lambda shown: _rename(shown["topic"], "name"),
    "topic deleted": lambda shown: shown["topic"].delete(),
    "appearance deleted": lambda shown: Appearance.objects.get(pk=shown["appearance"].pk).delete(),
}


@pytest.mark.parametrize("with_page_cache", [False, True], ids=["no page cache", "page cache"])
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_an_edit_that_changes_no_claim_row_still_changes_the_validators(
    request, shown, edit, with_page_cache, django_capture_on_commit_callbacks
):
    if with_page_cache:
        request.getfixturevalue("page_cache")
    first = {url: Client().get(url) for url in shown["urls"]}
    revision = PublicRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        edit(shown)
    assert PublicRevision.objects.get(pk=1).number == revision + 1
    for url, response in first.items():
        again = Client().get(url, headers={"If-None-Match": response["ETag"]})
        # 200 with the page as it is now (or 404: an article no public claim quotes is not public).
        assert again.status_code in (200, 404), f"{url}: {again.status_code} although the page changed"
        assert again.get("ETag") != response["ETag"]


def test_if_modified_since_alone_sees_a_new_appearance(django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    first = Client().get(claim.get_absolute_url())
    # The appearance is added in a later second than the page was read.
    later = timezone.now() + timezone.timedelta(seconds=5)
    source = SourceFactory(title="NEUE-FUNDSTELLE")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_appearance(claim=claim, source=source, quote="42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden")
    PublicRevision.objects.filter(pk=1).update(changed_at=later)
    again = Client().get(claim.get_absolute_url(), headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 200
    assert "NEUE-FUNDSTELLE" in again.content.decode()


@pytest.fixture
def remembered(settings, page_cache, monkeypatch):
    """A worker that reuses its site version for a second, on a clock the test moves."""
    settings.PUBLIC_FRESHNESS_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr(freshness.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(page_cache_module.time, "monotonic", lambda: clock[0])
    freshness.forget_site_version()
    yield clock
    freshness.forget_site_version()


def test_a_page_rendered_after_another_worker_changed_it_is_stored_with_new_validators(remembered, django_capture_on_commit_callbacks):
    claim = ClaimFactory(text="ALTER-TEXT")
    url = claim.get_absolute_url()
    old = Client().get(url)  # this worker remembers the site version until t=1001
    remembered[0] = 1000.9
    # Another worker commits an edit and counts the revision and the generation up; this worker is not told.
    Claim.objects.filter(pk=claim.pk).update(text="NEUER-TEXT")
    page_cache_module.count_up_public_revision()
    page_cache_module.invalidate_public_pages()
    page_cache_module.recent_pages.forget()
    fresh = Client().get(url)
    assert fresh["X-Page-Cache"] == "miss" and "NEUER-TEXT" in fresh.content.decode()
    assert fresh["ETag"] != old["ETag"]
    remembered[0] = 1200.0
    assert Client().get(url, headers={"If-None-Match": old["ETag"]}).status_code == 200
    assert Client().get(url, headers={"If-None-Match": fresh["ETag"]}).status_code == 304


def test_a_page_is_not_stored_when_content_changed_while_it_was_rendered(page_cache, monkeypatch):
    claim = ClaimFactory()
    render = page_cache_module.serve_cached

    def change_during_render(request, produce):
        def produce_then_change():
            response = produce()
            page_cache_module.count_up_public_revision()  # another worker commits meanwhile
            return response

        return render(request, produce_then_change)

    monkeypatch.setattr("claims.cache.serve_cached", change_during_render)
    assert Client().get(claim.get_absolute_url())["X-Page-Cache"] == "miss"
    monkeypatch.undo()
    assert Client().get(claim.get_absolute_url())["X-Page-Cache"] == "miss"
    assert Client().get(claim.get_absolute_url())["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("with_page_cache", [False, True], ids=["no page cache", "page cache"])
@pytest.mark.parametrize(
    "headers",
    [{"If-None-Match": "*"}, {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}],
    ids=["If-None-Match *", "If-Modified-Since in the future"],
)
def test_validators_that_would_match_any_page_get_the_views_answer(request, headers, with_page_cache):
    if with_page_cache:
        request.getfixturevalue("page_cache")
    claim = ClaimFactory()
    draft = ClaimFactory(status=ClaimStatus.DRAFT, published_at=None, rating=None, conclusion="")
    assert Client().get("/faktenchecks/gibt-es-nicht/", headers=headers).status_code == 404
    assert Client().get(draft.get_absolute_url(), headers=headers).status_code == 404
    assert Client().get(claim.get_absolute_url(), headers=headers).status_code == 200


def _revision() -> int:
    return PublicRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_commit_invalidates_once_however_many_rows_it_changes(monkeypatch):
    from django.db import transaction

    claim = AppearanceFactory().claim
    calls = []
    monkeypatch.setattr(page_cache_module, "invalidate_public_pages", lambda: calls.append(_revision()))
    before = _revision()
    with transaction.atomic():  # as an admin save: the claim, two inline rows, a topic
        claim.save()
        AppearanceFactory(claim=claim, source=SourceFactory())
        AppearanceFactory(claim=claim, source=SourceFactory())
        claim.topics.add(TopicFactory())
    assert _revision() == before + 1 and calls == [before + 1]
    # A rolled-back savepoint takes its callback along; a later change in the transaction still invalidates.
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim.save()
                raise RuntimeError
        except RuntimeError:
            pass
        claim.topics.add(TopicFactory())
    assert _revision() == before + 2 and len(calls) == 2
    # Nothing is left waiting from a transaction that rolled back whole.
    with pytest.raises(RuntimeError), transaction.atomic():
        claim.save()
        raise RuntimeError
    assert _revision() == before + 2
    claim.save()
    assert _revision() == before + 3 and len(calls) == 3


def test_reads_go_to_the_primary_before_pages_are_invalidated(monkeypatch, django_capture_on_commit_callbacks):
    # Otherwise a replica a few milliseconds behind could refill the emptied cache with the old page.
    order = []
    monkeypatch.setattr(page_cache_module, "pin_all_reads", lambda: order.append("pin"))
    monkeypatch.setattr(page_cache_module, "invalidate_public_pages", lambda: order.append("invalidate"))
    claim = ClaimFactory()
    with django_capture_on_commit_callbacks(execute=True):
        claim.save()
    assert order == ["pin", "invalidate"]
