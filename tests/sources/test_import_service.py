"""The import service as the admin, the command and the API use it: uploads, URLs and feeds."""

import os
from pathlib import Path

import pytest

from sources.ingest import IngestError, detect_format, import_source
from sources.ingest.fetch import Fetched
from sources.ingest.service import _import_feed
from sources.models import Outlet, Source

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "articles"


def rss(*links: str) -> str:
    items = "".join(f"<item><title>Eintrag {index}</title><link>{link}</link></item>" for index, link in enumerate(links))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Beispielzeitung</title>{items}</channel></rss>'


def atom(*links: str) -> str:
    entries = "".join(
        f'<entry><title>Eintrag {index}</title><id>urn:eintrag:{index}</id><link href="{link}"/></entry>'
        for index, link in enumerate(links)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Beispiel</title>{entries}</feed>'


def assert_nothing_stored():
    assert Source.objects.count() == 0
    assert Outlet.objects.count() == 0


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda path: path.name)
def test_each_seed_file_imports_once_through_the_service(path):
    raw = path.read_bytes()
    first = import_source(data=raw, filename=path.name, content_type="text/plain")
    again = import_source(data=raw, filename=path.name, content_type="text/plain")
    (source,) = first.created
    assert again.existing == [source]
    assert bytes(source.raw) == raw
    assert source.raw_content_type == "text/plain; charset=utf-8"
    assert len(source.body) > 500
    assert Source.objects.count() == 1


def test_pasted_text_without_file_name_is_read_as_plain_text():
    raw = (SEEDS / "002_396e5cc31d1da420.txt").read_bytes()
    (source,) = import_source(data=raw).created
    assert source.title == "Russland lehnt europäische Truppen in der Ukraine erneut ab"


def test_pasted_html_is_recognised(fixture_bytes):
    (source,) = import_source(data=fixture_bytes("article.html")).created
    assert source.title == "Merz sagt Kiew weitere Hilfe zu"


@pytest.mark.parametrize(
    ("raw", "filename", "message"),
    [
        (b"", "leer.txt", "leer"),
        (b"", "leer.html", "leer"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bild.txt", "Binärdaten"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "artikel.pdf", "Nur .txt- und .html-Dateien"),
        ("Überschrift\n\nText in Latin-1 mit Umlauten: äöü".encode("latin-1"), "alt.txt", "nicht UTF-8-kodiert"),
        (os.urandom(64) * 160_000, "junk.txt", "zu groß"),
        (b"<p>" + b"x" * 10 * 1024 * 1024, "junk.html", "zu groß"),
        (b"Titel\n\nZu kurz.", "kurz.txt", "zu kurz"),
    ],
)
def test_bad_upload_gets_clear_message_and_stores_nothing(raw, filename, message):
    with pytest.raises(IngestError) as error:
        import_source(data=raw, filename=filename)
    assert message in " ".join(error.value.messages)
    assert_nothing_stored()


def test_page_without_article_stores_nothing_not_even_its_outlet(fixture_bytes):
    page = fixture_bytes("no_article.html").replace(b"<title>", b'<meta property="og:site_name" content="Beispielzeitung"><title>')
    with pytest.raises(IngestError, match="kein Artikeltext"):
        import_source(data=page, filename="start.html")
    assert_nothing_stored()


def test_exactly_one_input_is_required():
    with pytest.raises(IngestError, match="genau eines"):
        import_source()
    with pytest.raises(IngestError, match="genau eines"):
        import_source(data=b"Text", url="https://example.org/")


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html></html>", "", "html"),
        (b"\xef\xbb\xbf<html lang='de'></html>", "", "html"),
        (b"Titel\n\nText", "", "text"),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "", "feed"),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "application/xml", "feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "text/xml; charset=utf-8", "feed"),
        (b"irrelevant", "application/atom+xml", "feed"),
        (b"<html></html>", "text/html; charset=utf-8", "html"),
        (b"<html></html>", "text/plain", "text"),
    ],
)
def test_format_is_detected_from_type_and_content(raw, content_type, expected):
    assert detect_format(raw, content_type=content_type) == expected


def test_xml_that_is_no_feed_is_refused():
    with pytest.raises(IngestError, match="weder ein RSS- noch ein Atom-Feed"):
        detect_format(b"<?xml version='1.0'?><sitemap/>", content_type="application/xml")


def test_uploaded_feed_is_refused():
    with pytest.raises(IngestError, match="über ihre URL"):
        import_source(data=rss("https://example.org/a").encode())


def test_article_url_is_fetched_and_archived(web, allow_private, fixture_bytes):
    url = web.serve_fixture("/politik/merz.html", "article.html")
    (source,) = import_source(url=url).created
    # The canonical URL points at another site, so the fetched address identifies the article.
    assert source.url == url
    assert bytes(source.raw) == fixture_bytes("article.html")
    assert source.raw_content_type == "text/html; charset=utf-8"
    assert source.title == "Merz sagt Kiew weitere Hilfe zu"


def test_canonical_url_on_the_same_site_identifies_the_article(web, allow_private, fixture_bytes):
    canonical = web.url("/politik/merz-kiew-hilfe-100.html")
    page = fixture_bytes("article.html").replace(
        b"https://www.beispielzeitung.example/politik/merz-kiew-hilfe-100.html", canonical.encode()
    )
    url = web.serve("/politik/merz-kiew-hilfe-100.html?utm_source=newsletter", page)
    (source,) = import_source(url=url).created
    assert source.url == canonical


def test_url_served_in_declared_charset(web, allow_private):
    page = (
        "<html><head><title>Straßenbahn fährt wieder</title></head><body><article><p>"
        + "Die Straßenbahn fährt nach monatelangen Bauarbeiten wieder durch die Innenstadt. " * 5
        + "</p></article></body></html>"
    )
    url = web.serve("/tram", page.encode("iso-8859-1"), content_type="text/html; charset=ISO-8859-1")
    (source,) = import_source(url=url).created
    assert source.title == "Straßenbahn fährt wieder"
    assert source.body.startswith("Die Straßenbahn fährt")


def test_changed_article_at_same_url_becomes_new_version(web, allow_private, fixture_bytes):
    url = web.serve_fixture("/politik/merz.html", "article.html")
    old = import_source(url=url).created[0]
    assert import_source(url=url).existing == [old]
    web.serve_fixture("/politik/merz.html", "article_updated.html")
    new = import_source(url=url).created[0]
    old.refresh_from_db()
    assert new.previous_version == old and not old.is_latest and new.is_latest
    assert list(Source.objects.filter(url=url).order_by("imported_at")) == [old, new]


def test_url_refused_without_private_setting_stores_nothing(web, settings, fixture_bytes):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    url = web.serve_fixture("/politik/merz.html", "article.html")
    with pytest.raises(IngestError, match="internen oder reservierten Netz"):
        import_source(url=url)
    assert_nothing_stored()
    assert web.requests == []


def test_url_without_article_stores_nothing(web, allow_private):
    url = web.serve_fixture("/", "no_article.html")
    with pytest.raises(IngestError, match="kein Artikeltext"):
        import_source(url=url)
    assert_nothing_stored()


@pytest.mark.parametrize("feed", [rss, atom])
def test_feed_imports_each_entry_and_reports_broken_ones(web, allow_private, feed):
    web.serve_fixture("/politik/merz.html", "article.html")
    web.serve_fixture("/lokal/rathaus.html", "article_cp1252.html", content_type="text/html")
    web.serve_fixture("/start.html", "no_article.html")
    feed_url = web.serve(
        "/feed.xml",
        feed("/politik/merz.html", web.url("/lokal/rathaus.html"), "/start.html", "/geloescht.html"),
        content_type="application/rss+xml" if feed is rss else "application/atom+xml",
    )
    report = import_source(url=feed_url)
    assert sorted(source.title for source in report.created) == [
        "Bürgermeister räumt Fehler bei Straßensanierung ein",
        "Merz sagt Kiew weitere Hilfe zu",
    ]
    assert [(failure.label, failure.message) for failure in report.failures] == [
        ("Eintrag 2", "Auf der Seite wurde kein Artikeltext gefunden (mindestens 200 Zeichen Fließtext nötig)."),
        ("Eintrag 3", "Der Server antwortete mit Status 404."),
    ]
    again = import_source(url=feed_url)
    assert sorted(source.pk for source in again.existing) == sorted(source.pk for source in report.created)
    assert again.created == []
    assert Source.objects.count() == 2


def test_feed_entry_pointing_into_internal_network_is_refused(web, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    feed = Fetched(url="https://feeds.example.org/rss", data=rss(web.url("/intern")).encode(), content_type="application/rss+xml")
    with pytest.raises(IngestError) as error:
        _import_feed(feed, outlet=None)
    assert "internen oder reservierten Netz" in " ".join(error.value.messages)
    assert web.requests == []


def test_feed_without_entries_is_refused(web, allow_private):
    url = web.serve("/leer.xml", rss(), content_type="application/rss+xml")
    with pytest.raises(IngestError, match="keine Einträge"):
        import_source(url=url)


def test_broken_feed_is_refused(web, allow_private):
    url = web.serve("/kaputt.xml", "<rss><channel><item><title>Abgebrochen", content_type="application/rss+xml")
    with pytest.raises(IngestError, match="RSS/Atom"):
        import_source(url=url)
    assert_nothing_stored()


def test_feed_whose_entries_all_fail_stores_nothing(web, allow_private):
    web.serve_fixture("/start.html", "no_article.html")
    url = web.serve("/feed.xml", rss("/start.html", "/fehlt.html"), content_type="application/rss+xml")
    with pytest.raises(IngestError) as error:
        import_source(url=url)
    messages = error.value.messages
    assert messages[0] == "Kein Eintrag des Feeds konnte importiert werden."
    assert any("Status 404" in message for message in messages)
    assert_nothing_stored()


def test_text_with_a_nul_byte_after_the_first_8_kb_is_refused_and_stores_nothing():
    raw = (SEEDS / "002_396e5cc31d1da420.txt").read_bytes() + b"\n\n" + b"Fortsetzung " * 1000 + b"\x00 Ende."
    with pytest.raises(IngestError, match="Binärdaten"):
        import_source(data=raw, filename="artikel.txt")
    assert_nothing_stored()


def test_feed_entry_with_a_nul_byte_is_reported_and_the_other_entries_are_kept(web, allow_private):
    web.serve_fixture("/politik/merz.html", "article.html")
    broken = (SEEDS / "002_396e5cc31d1da420.txt").read_bytes() + b"\n\n" + b"Fortsetzung " * 1000 + b"\x00 Ende."
    web.serve("/kaputt.txt", broken, content_type="text/plain; charset=utf-8")
    report = import_source(url=web.serve("/feed.xml", rss("/politik/merz.html", "/kaputt.txt"), content_type="application/rss+xml"))
    assert [source.title for source in report.created] == ["Merz sagt Kiew weitere Hilfe zu"]
    assert [failure.label for failure in report.failures] == ["Eintrag 1"]
    assert "Binärdaten" in report.failures[0].message


def test_feed_import_with_a_time_budget_stops_fetching_and_names_the_entries_left(web, allow_private, fixture_bytes):
    web.serve_fixture("/politik/merz.html", "article.html", delay=0.3)
    web.serve_fixture("/lokal/rathaus.html", "article_cp1252.html", content_type="text/html")
    feed_url = web.serve("/feed.xml", rss("/politik/merz.html", "/lokal/rathaus.html"), content_type="application/rss+xml")
    report = import_source(url=feed_url, feed_seconds=0.1)
    assert [source.title for source in report.created] == ["Merz sagt Kiew weitere Hilfe zu"]
    assert [failure.label for failure in report.failures] == ["Eintrag 1"]
    assert "erneut importieren" in report.failures[0].message
    assert web.requests == ["/feed.xml", "/politik/merz.html"]


def test_the_feed_time_budget_counts_from_the_start_so_a_slow_feed_leaves_no_time_for_entries(web, allow_private, fixture_bytes):
    """The request ends within the budget plus one fetch: the feed's own fetch counts too."""
    web.serve_fixture("/politik/merz.html", "article.html")
    feed_url = web.serve("/feed.xml", rss("/politik/merz.html"), content_type="application/rss+xml", delay=0.3)
    with pytest.raises(IngestError) as error:
        import_source(url=feed_url, feed_seconds=0.1)
    assert "erneut importieren" in " ".join(error.value.messages)
    assert web.requests == ["/feed.xml"]
    assert_nothing_stored()


def test_a_feed_imported_again_after_its_time_ran_out_fetches_the_entries_left_first(web, allow_private, fixture_bytes):
    """The entries left come with the next import, also of a long feed: the entries already archived wait,
    or every import would spend its time on them again."""
    web.serve_fixture("/politik/merz.html", "article.html", delay=0.3)
    web.serve_fixture("/lokal/rathaus.html", "article_cp1252.html", content_type="text/html")
    feed_url = web.serve("/feed.xml", rss("/politik/merz.html", "/lokal/rathaus.html"), content_type="application/rss+xml")
    first = import_source(url=feed_url, feed_seconds=0.1)
    assert [failure.label for failure in first.failures] == ["Eintrag 1"]
    web.requests.clear()
    again = import_source(url=feed_url, feed_seconds=0.1)
    assert web.requests[:2] == ["/feed.xml", "/lokal/rathaus.html"]
    assert len(again.created) == 1 and again.created[0].url.endswith("/lokal/rathaus.html")
    assert Source.objects.count() == 2


def test_admin_feed_import_is_bounded_by_the_feed_time_setting(client, reporter, web, allow_private, fixture_bytes):
    allow_private.SOURCE_FEED_IMPORT_SECONDS = 0.1
    web.serve_fixture("/politik/merz.html", "article.html", delay=0.3)
    web.serve_fixture("/lokal/rathaus.html", "article_cp1252.html", content_type="text/html")
    feed_url = web.serve("/feed.xml", rss("/politik/merz.html", "/lokal/rathaus.html"), content_type="application/rss+xml")
    client.force_login(reporter)
    response = client.post("/admin/sources/source/importieren/", {"url": feed_url}, follow=True)
    assert "Nicht importiert: Eintrag 1" in response.content.decode()
    assert Source.objects.count() == 1
