"""Public site: feeds, sitemap, robots.txt, filters, keyset pages, conditional GET, query counts."""

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import services
from claims.choices import ClaimStatus
from claims.models import Claim, Rating
from claims.pagination import encode_cursor
from claims.related import refresh_all
from tests.factories import AppearanceFactory, ClaimantFactory, ClaimFactory, CorrectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

HIDDEN_STATES = [
    pytest.param({"status": ClaimStatus.DRAFT}, id="draft"),
    pytest.param({"status": ClaimStatus.IN_REVIEW}, id="review"),
    pytest.param({"status": ClaimStatus.WITHDRAWN}, id="withdrawn"),
    pytest.param({"status": ClaimStatus.PUBLISHED, "published_at": timezone.now() + timezone.timedelta(days=2)}, id="scheduled"),
]
PUBLIC_URLS = [
    "/",
    "/faktenchecks/",
    "/faktenchecks/?q=Behauptung",
    "/feeds/faktenchecks/",
    "/feeds/faktenchecks/atom/",
    "/feeds/korrekturen/",
    "/feeds/korrekturen/atom/",
    "/sitemap-faktenchecks.xml",
    "/sitemap-quellen.xml",
    "/sitemap-urheber.xml",
    "/korrekturen/",
]


def sitemap_locations(client, path):
    response = client.get(path)
    assert response.status_code == 200
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [element.text for element in ET.fromstring(response.content).findall(".//sm:loc", namespace)]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_claims_appear_in_no_page_feed_or_sitemap(client, state, editor):
    claimant = ClaimantFactory(name="GEHEIMMARKER Urheber")
    hidden = ClaimFactory(text="GEHEIMMARKER Behauptung", claimant=claimant, **state)
    appearance = AppearanceFactory(claim=hidden, source=SourceFactory(title="GEHEIMMARKER Quelle"))
    CorrectionFactory(claim=hidden, note="GEHEIMMARKER Korrektur")
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "GEHEIMMARKER" not in response.content.decode(), url
        assert hidden.slug not in response.content.decode(), url
    assert client.get(f"/faktenchecks/?claimant={claimant.slug}").status_code == 400
    assert client.get(claimant.get_absolute_url()).status_code == 404
    assert client.get(appearance.source.get_absolute_url()).status_code == 404
    # Staff see previews at the claim URL, but feeds and the sitemap stay the public record.
    client.force_login(editor)
    assert client.get(hidden.get_absolute_url()).status_code == 200
    for url in ("/feeds/faktenchecks/", "/sitemap-faktenchecks.xml", "/faktenchecks/"):
        assert "GEHEIMMARKER" not in client.get(url).content.decode(), url


def test_claims_feed_parses_and_lists_newest_first(client):
    older = ClaimFactory(text="Ältere Behauptung", published_at=timezone.now() - timezone.timedelta(days=3))
    newer = ClaimFactory(text="Neuere Behauptung", published_at=timezone.now() - timezone.timedelta(hours=1))
    for path, version in (("/feeds/faktenchecks/", "rss20"), ("/feeds/faktenchecks/atom/", "atom10")):
        feed = feedparser.parse(client.get(path).content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == version
        titles = [entry.title for entry in feed.entries]
        assert titles == [f"Falsch: {newer.text}", f"Falsch: {older.text}"]
        assert feed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
        assert feed.entries[0].summary == newer.conclusion
        assert feed.entries[0].published_parsed is not None


def test_corrections_feed_names_the_verdict_change(client, publisher):
    claim = ClaimFactory(text="Korrigierte Behauptung")
    services.correct_claim(
        claim=claim,
        user=publisher,
        kind="verdict",
        note="Neue Zahlen der Bundesnetzagentur.",
        new_rating=Rating.objects.get(scale__is_default=True, slug="richtig"),
    )
    for path in ("/feeds/korrekturen/", "/feeds/korrekturen/atom/"):
        feed = feedparser.parse(client.get(path).content)
        assert not feed.bozo, feed.bozo_exception
        [entry] = feed.entries
        assert entry.title == "Änderung der Bewertung: Korrigierte Behauptung"
        assert "Neue Zahlen der Bundesnetzagentur." in entry.summary
        assert "„Falsch“ zu „Richtig“" in entry.summary
        assert entry.link.startswith(f"http://testserver{claim.get_absolute_url()}#korrektur-")
        # RSS guid and Atom id: an absolute IRI (RFC 4287 4.2.6), unique per correction.
        assert entry.id == entry.link
    # The claim page shows the notice at the top, with the anchor the feed links to.
    html = client.get(claim.get_absolute_url()).content.decode()
    assert html.index("Korrekturen und Aktualisierungen") < html.index('id="claim-heading"')
    assert 'id="korrektur-' in html


def test_sitemap_index_and_sections_list_public_pages(client):
    claim = ClaimFactory()
    appearance = AppearanceFactory(claim=claim)
    sections = sitemap_locations(client, "/sitemap.xml")
    assert {location.rsplit("/", 1)[-1] for location in sections} >= {
        "sitemap-faktenchecks.xml",
        "sitemap-quellen.xml",
        "sitemap-urheber.xml",
        "sitemap-seiten.xml",
    }
    assert f"http://testserver{claim.get_absolute_url()}" in sitemap_locations(client, "/sitemap-faktenchecks.xml")
    assert f"http://testserver{appearance.source.get_absolute_url()}" in sitemap_locations(client, "/sitemap-quellen.xml")
    assert f"http://testserver{claim.claimant.get_absolute_url()}" in sitemap_locations(client, "/sitemap-urheber.xml")


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_newsroom(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_claim_list_filters_with_the_shared_filterset(client):
    topic = TopicFactory(name="Energie")
    claimant = ClaimantFactory(name="Erika Filter")
    wanted = ClaimFactory(text="Windkraft deckt den Bedarf", claimant=claimant)
    wanted.topics.add(topic)
    ClaimFactory(text="Andere Behauptung", rating=Rating.objects.get(scale__is_default=True, slug="richtig"))
    old = ClaimFactory(text="Alte Behauptung", published_at=timezone.now() - timezone.timedelta(days=400))

    def texts(query):
        response = client.get("/faktenchecks/", query)
        assert response.status_code == 200
        return {claim.text for claim in response.context["claims"]}

    assert texts({"rating": "falsch"}) == {wanted.text, old.text}
    assert texts({"claimant": claimant.slug}) == {wanted.text}
    # Readers type the name; case and spacing do not matter.
    assert texts({"claimant": " erika  FILTER "}) == {wanted.text}
    assert texts({"topic": topic.slug}) == {wanted.text}
    assert texts({"q": "Windkraft"}) == {wanted.text}
    since = (timezone.localdate() - timezone.timedelta(days=30)).isoformat()
    assert old.text not in texts({"date_from": since})
    assert texts({"date_to": since}) == {old.text}
    # The last and first days a date field accepts (31.12.9999 typed into the date picker).
    assert texts({"date_to": "9999-12-31"}) == texts({"date_from": "0001-01-01"}) == {wanted.text, old.text, "Andere Behauptung"}
    html = client.get("/faktenchecks/").content.decode()
    assert '<label for="id_q">Suche</label>' in html
    assert 'type="search"' in html
    # Claimants are typed with suggestions, not picked from a list of every claimant; topics are few.
    assert '<select name="claimant"' not in html
    assert 'list="claimant-suggestions"' in html
    assert f'<option value="{claimant.slug}" lang="de">Erika Filter' in html
    assert f'<option value="{topic.slug}" lang="de">Energie</option>' in html


def test_claim_list_suggests_no_claimant_or_topic_of_an_unpublished_claim(client):
    ClaimFactory(claimant=ClaimantFactory(name="Öffentliche Urheberin")).topics.add(TopicFactory(name="Öffentliches Thema"))
    draft = ClaimFactory(status=ClaimStatus.DRAFT, claimant=ClaimantFactory(name="GEHEIMMARKER Urheber"))
    draft.topics.add(TopicFactory(name="GEHEIMMARKER Thema"))
    response = client.get("/faktenchecks/")
    html = response.content.decode()
    assert "Öffentliche Urheberin" in html
    assert "Öffentliches Thema" in html
    assert "GEHEIMMARKER" not in html
    assert draft.claimant.slug not in html
    for query in ({"claimant": draft.claimant.slug}, {"claimant": draft.claimant.name}, {"topic": draft.topics.get().slug}):
        assert client.get("/faktenchecks/", query).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "gestern"},
        {"rating": "gibt-es-nicht"},
        {"claimant": "niemand"},
        {"nach": "kaputt"},
        {"q": "x", "seite": "0"},
        {"q": "x", "seite": "2"},
        {"claimant": "\x00"},
        {"claimant": "Erika\x00Filter"},
    ],
)
def test_bad_filter_input_gets_a_clear_400_page(client, query):
    response = client.get("/faktenchecks/", query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("query", [{"nach": "kaputt"}, {"vor": "2025-13-01|x"}, {"nach": "\x00"}])
def test_a_bad_page_link_on_a_claimant_page_is_a_400_that_names_it(client, query):
    claim = ClaimFactory()
    response = client.get(claim.claimant.get_absolute_url(), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and claim.claimant.name in html
    assert f'href="{claim.claimant.get_absolute_url()}">Zur ersten Seite</a>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"claimant": "niemand"}, "Keine Urheberin und kein Urheber mit dem Namen oder Kurznamen „niemand“."),
        ({"topic": "nirgends"}, "Kein Thema mit dem Kurznamen „nirgends“."),
    ],
)
def test_unknown_claimant_or_topic_is_named_in_german_on_the_400_page(client, query, message):
    ClaimFactory()
    response = client.get("/faktenchecks/", query)
    assert response.status_code == 400
    assert f"<li>{message}</li>" in response.content.decode()


def test_keyset_pages_walk_forward_and_back_without_gaps(client):
    now = timezone.now()
    claims = [ClaimFactory(published_at=now - timezone.timedelta(minutes=minute)) for minute in range(45)]
    same_time = ClaimFactory(published_at=claims[20].published_at)  # ties are broken by id
    expected = sorted([*claims, same_time], key=lambda claim: (claim.published_at, claim.pk), reverse=True)

    seen, response = [], client.get("/faktenchecks/")
    pages = [response]
    while True:
        seen += [claim.pk for claim in response.context["claims"]]
        next_query = response.context["page"].next_query
        if not next_query:
            break
        response = client.get(f"/faktenchecks/?{next_query}")
        pages.append(response)
    assert seen == [claim.pk for claim in expected]
    assert len(pages) == 3
    back = client.get(f"/faktenchecks/?{pages[2].context['page'].previous_query}")
    assert [claim.pk for claim in back.context["claims"]] == [claim.pk for claim in pages[1].context["claims"]]
    assert pages[0].context["total"] == 46
    assert f"nach={encode_cursor(expected[19])}" in pages[0].context["page"].next_query


def test_anonymous_reader_gets_304_until_something_public_changes(client, publisher):
    claim = ClaimFactory()
    first = client.get(claim.get_absolute_url())
    assert first["ETag"] and first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    again = client.get(claim.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.get(claim.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    services.correct_claim(claim=claim, user=publisher, kind="correction", note="Zahl präzisiert.", new_conclusion="Neues Fazit.")
    changed = client.get(claim.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Neues Fazit." in changed.content.decode()


def test_etag_differs_per_language_and_for_a_newly_due_claim(client):
    claim = ClaimFactory()
    german = client.get("/")["ETag"]
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    assert german != english
    Claim.objects.filter(pk=claim.pk).update(published_at=timezone.now() + timezone.timedelta(seconds=1))
    scheduled = client.get("/")["ETag"]
    Claim.objects.filter(pk=claim.pk).update(published_at=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/")["ETag"] != scheduled


def test_staff_preview_is_never_cached_and_has_no_validators(client, editor):
    claim = ClaimFactory(status=ClaimStatus.DRAFT)
    client.force_login(editor)
    response = client.get(claim.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_rating_badges_come_from_a_generated_stylesheet_with_readable_text(client):
    claim = ClaimFactory()
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "style=" not in html
    assert f'class="rating-badge rating-{claim.rating.pk}"' in html
    css = client.get("/bewertungen.css")
    assert css["Content-Type"].startswith("text/css")
    assert f".rating-{claim.rating.pk} {{ background-color: {claim.rating.colour};" in css.content.decode()
    assert client.get("/bewertungen.css", HTTP_IF_NONE_MATCH=css["ETag"]).status_code == 304


def test_related_claims_are_published_only(client):
    claim = ClaimFactory(text="Russland nennt ausländische Truppen legitime Ziele")
    related = ClaimFactory(text="Ausländische Truppen wären legitime Ziele für Russland")
    ClaimFactory(text="Ausländische Truppen seien legitime Ziele, sagt Moskau", status=ClaimStatus.DRAFT)
    refresh_all()
    response = client.get(claim.get_absolute_url())
    assert [other.pk for other in response.context["related_claims"]] == [related.pk]


def grow(claims: int, appearances_each: int):
    source = SourceFactory()
    for _ in range(claims):
        claim = ClaimFactory(claimant=ClaimantFactory())
        claim.topics.add(TopicFactory())
        for _ in range(appearances_each):
            AppearanceFactory(claim=claim, source=SourceFactory())
        AppearanceFactory(claim=claim, source=source)
        CorrectionFactory(claim=claim)
    return claim, source


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/faktenchecks/",
        "/faktenchecks/?rating=falsch",
        "/faktenchecks/?claimant=urheber-im-archiv",
        "/faktenchecks/?topic=thema-im-archiv",
        "/korrekturen/",
        "/feeds/faktenchecks/",
        "/feeds/korrekturen/",
        "/sitemap-faktenchecks.xml",
    ],
)
def test_list_query_count_does_not_grow_with_claims(client, django_assert_num_queries, path):
    ClaimFactory(claimant=ClaimantFactory(name="Urheber im Archiv")).topics.add(TopicFactory(name="Thema im Archiv"))
    grow(2, 1)
    small = count_queries(client, path)
    grow(6, 3)
    with django_assert_num_queries(small):
        client.get(path)


def test_detail_pages_query_count_does_not_grow_with_sources_quotes_and_corrections(client, django_assert_num_queries):
    claim, source = grow(1, 1)
    claim_small = count_queries(client, claim.get_absolute_url())
    source_small = count_queries(client, source.get_absolute_url())
    claimant_small = count_queries(client, claim.claimant.get_absolute_url())
    big_claim, big_source = grow(1, 6)
    for number in range(5):
        CorrectionFactory(claim=big_claim, note=f"Hinweis {number}")
    for _ in range(5):
        AppearanceFactory(claim=ClaimFactory(claimant=big_claim.claimant), source=big_source)
    with django_assert_num_queries(claim_small):
        client.get(big_claim.get_absolute_url())
    with django_assert_num_queries(source_small):
        client.get(big_source.get_absolute_url())
    with django_assert_num_queries(claimant_small):
        client.get(big_claim.claimant.get_absolute_url())


def test_english_interface_translates_the_public_pages(client):
    claim = ClaimFactory()
    client.cookies["django_language"] = "en"
    home = client.get("/").content.decode()
    assert '<html lang="en">' in home
    assert "Latest fact-checks" in home
    assert "Aktuelle Faktenchecks" not in home
    detail = client.get(claim.get_absolute_url()).content.decode()
    assert "Where the claim appears" in detail
    assert f">{claim.rating.label_en}</span>" in detail


def test_english_interface_writes_dates_languages_and_rating_filters_in_english(client):
    published = timezone.make_aware(timezone.datetime(2026, 1, 8, 16, 14))
    claim = ClaimFactory(claim_date=timezone.datetime(2025, 9, 4).date(), published_at=published)
    german = client.get(claim.get_absolute_url()).content.decode()
    assert ">4. September 2025</time>" in german and ">8. Januar 2026, 16:14</time>" in german
    assert '<option value="de" lang="de" selected>Deutsch</option>' in german
    assert '<option value="en" lang="en">English</option>' in german
    client.cookies["django_language"] = "en"
    english = client.get(claim.get_absolute_url()).content.decode()
    assert ">4 September 2025</time>" in english and ">8 January 2026, 16:14</time>" in english
    assert "4. September" not in english and "8. January" not in english
    assert '<option value="en" lang="en" selected>English</option>' in english
    ratings = client.get("/faktenchecks/").content.decode()
    assert '<label for="id_rating_0">True</label>' in ratings
    assert ">Richtig</label>" not in ratings


def test_english_interface_translates_search_help_and_correction_kinds(client):
    claim = ClaimFactory(text="Windkraft liefert Strom")
    CorrectionFactory(claim=claim, kind="update", note="Zahlen ergänzt.")
    client.cookies["django_language"] = "en"
    search = client.get("/suche/?q=Gezeitenkraftwerk").content.decode()
    assert 'Tip: "exact wording" in quotes' in search
    assert "No fact-checks found." in search
    assert "Tipp:" not in search and "Keine Faktenchecks" not in search
    corrections = client.get("/korrekturen/").content.decode()
    assert "<strong>Update</strong>" in corrections and "Aktualisierung" not in corrections
    detail = client.get(claim.get_absolute_url()).content.decode()
    assert "<strong>Update</strong>" in detail


@pytest.mark.parametrize(("kind", "english"), [("correction", "Correction"), ("update", "Update"), ("verdict", "Rating changed")])
def test_every_public_correction_kind_is_named_in_english(client, kind, english):
    correction = CorrectionFactory(kind=kind, note="Zahlen ergänzt.")
    client.cookies["django_language"] = "en"
    assert f"<strong>{english}</strong>" in client.get("/korrekturen/").content.decode()
    assert f"<strong>{english}</strong>" in client.get(correction.claim.get_absolute_url()).content.decode()


def test_pages_name_the_site_icon_and_it_is_served(client):
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    response = client.get(icon)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_a_from_date_after_the_to_date_is_explained(client):
    ClaimFactory()
    response = client.get("/faktenchecks/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "Das Datum „von“ liegt nach dem Datum „bis“" in response.content.decode()
    assert client.get("/faktenchecks/", {"date_from": "2026-01-01", "date_to": "2026-01-01"}).status_code == 200


def test_the_corrections_log_pages_like_the_list_and_names_a_page_that_does_not_exist(client, publisher):
    claim = ClaimFactory()
    for number in range(51):
        services.correct_claim(claim=claim, user=publisher, kind="update", note=f"Ergänzung {number}.")
    first = client.get("/korrekturen/")
    assert 'href="?seite=2"' in first.content.decode()
    second = client.get("/korrekturen/", {"seite": 2})
    assert len(second.context["corrections"]) == 1
    assert list(client.get("/korrekturen/", {"page": 2}).context["corrections"]) == list(second.context["corrections"])
    for bad in ("3", "abc", "0"):
        response = client.get("/korrekturen/", {"seite": bad})
        assert response.status_code == 400 and "Diese Seite gibt es nicht" in response.content.decode()


def test_a_searched_claim_list_reads_the_older_page_parameter_too(client):
    for number in range(25):
        ClaimFactory(text=f"Solarstrom ist teurer als Kohle ({number})")
    second = client.get("/faktenchecks/", {"q": "Solarstrom", "seite": 2})
    older = client.get("/faktenchecks/", {"q": "Solarstrom", "page": 2})
    assert second.status_code == older.status_code == 200
    assert [claim.pk for claim in older.context["claims"]] == [claim.pk for claim in second.context["claims"]] != []
    # Links go on with the current name only.
    assert "page=" not in older.context["page"].previous_query


def test_bylines_never_show_a_login_name(client):
    """A staff member without a full name is "Redaktion" on the public page: login names are for the admin login only."""
    from tests.factories import UserFactory

    author = UserFactory(username="login-autorin", first_name="", last_name="")
    approver = UserFactory(username="login-freigabe", first_name="", last_name="")
    claim = AppearanceFactory(claim=ClaimFactory(author=author, approved_by=approver)).claim
    page = client.get(f"/faktenchecks/{claim.slug}/").content.decode()
    assert "login-autorin" not in page and "login-freigabe" not in page
    assert '<span class="author">Redaktion</span>' in page


def test_a_request_refused_before_any_page_runs_gets_the_sites_own_400_page(client):
    response = client.get("/faktenchecks/?" + "&".join(f"p{i}=x" for i in range(1500)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ungültige Anfrage" in page and 'href="/"' in page and '<html lang="de">' in page
    assert "Bad Request" not in page
    client.cookies["django_language"] = "en"
    english = client.get("/faktenchecks/?" + "&".join(f"p{i}=x" for i in range(1500))).content.decode()
    assert '<html lang="en">' in english and "The request was too large or malformed" in english


@pytest.mark.parametrize(("language", "everything"), [("de", "Alle Themen"), ("en", "All topics")])
def test_the_topic_filter_offers_all_topics_in_words_not_dashes(client, language, everything):
    ClaimFactory().topics.add(TopicFactory(name="Energie"))
    client.cookies["django_language"] = language
    html = client.get("/faktenchecks/").content.decode()
    assert f'<option value="" selected>{everything}</option>' in html
    assert "---------" not in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_announces_all_four_feeds_and_each_answers(client, language):
    ClaimFactory()
    client.cookies["django_language"] = language
    html = client.get("/").content.decode()
    announced = re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" title="[^"]+" href="([^"]+)">', html)
    assert sorted(announced) == ["/feeds/faktenchecks/", "/feeds/faktenchecks/atom/", "/feeds/korrekturen/", "/feeds/korrekturen/atom/"]
    for path in announced:
        assert client.get(path).status_code == 200


def test_the_icon_address_browsers_try_on_their_own_leads_to_the_site_icon(client):
    # Browsers ask for /favicon.ico on pages without an icon link: feeds, the sitemap, robots.txt.
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert client.get(response["Location"]).status_code == 200


def test_readers_claim_page_is_the_page_staff_see_for_the_published_claim(client, publisher, other_rating):
    """Readers' claim pages are read by compiled queries, staff's by the view's queryset: the same page."""
    claim = ClaimFactory(text="Ausländische Truppen in der Ukraine wären legitime Ziele")
    ClaimFactory(text="Ausländische Truppen wären legitime Ziele für Russland")
    claim.topics.add(TopicFactory(name="Verteidigung"), TopicFactory(name="Außenpolitik"))
    AppearanceFactory(claim=claim, is_first=True)
    AppearanceFactory(claim=claim, source=SourceFactory(published_at=None))
    services.correct_claim(claim=claim, user=publisher, kind="verdict", note="Neue Zahlen.", new_rating=other_rating)
    services.correct_claim(claim=claim, user=publisher, kind="update", note="Quelle ergänzt.")
    refresh_all()
    readers = client.get(claim.get_absolute_url())
    client.force_login(publisher)
    staff = client.get(claim.get_absolute_url())
    assert readers.status_code == staff.status_code == 200
    assert readers.content.decode() == staff.content.decode()
    assert "Neue Zahlen." in readers.content.decode() and ">Verteidigung</a>" in readers.content.decode()
    assert len(readers.context["related_claims"]) == 1
