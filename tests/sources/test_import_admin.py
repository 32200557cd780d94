from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import Outlet, Source
from tests import factories

pytestmark = pytest.mark.django_db

IMPORT = "/admin/sources/source/importieren/"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "articles" / "002_396e5cc31d1da420.txt"


def errors(response) -> str:
    return response.content.decode()


def test_changelist_links_to_the_import_page(client, reporter):
    client.force_login(reporter)
    html = client.get("/admin/sources/source/").content.decode()
    assert IMPORT in html
    assert "Artikel importieren" in html


def test_import_page_is_german_and_explains_every_field(client, reporter):
    client.force_login(reporter)
    html = client.get(IMPORT).content.decode()
    for text in ("Text einfügen", "Datei hochladen", "RSS-/Atom-Feeds", "Importieren", 'enctype="multipart/form-data"'):
        assert text in html


def test_pasted_text_is_archived_and_opens_the_source(client, reporter):
    client.force_login(reporter)
    response = client.post(IMPORT, {"text": SEED.read_text(encoding="utf-8")})
    source = Source.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/sources/source/{source.pk}/change/"
    assert source.title == "Russland lehnt europäische Truppen in der Ukraine erneut ab"
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["1 Artikel neu archiviert."]


def test_second_import_says_the_article_is_already_archived(client, reporter):
    client.force_login(reporter)
    client.post(IMPORT, {"text": SEED.read_text(encoding="utf-8")})
    response = client.post(IMPORT, {"file": SimpleUploadedFile("artikel.txt", SEED.read_bytes(), "text/plain")}, follow=True)
    assert "war bereits archiviert" in response.content.decode()
    assert Source.objects.count() == 1


def test_uploaded_html_file_with_chosen_outlet(client, reporter, fixture_bytes):
    outlet = factories.OutletFactory(name="Landeszeitung", domain="landeszeitung.example")
    client.force_login(reporter)
    upload = SimpleUploadedFile("merz.html", fixture_bytes("article.html"), "application/octet-stream")
    response = client.post(IMPORT, {"file": upload, "outlet": outlet.pk})
    source = Source.objects.get()
    assert response.status_code == 302
    assert source.outlet == outlet
    assert source.raw_content_type == "text/html"
    assert Outlet.objects.count() == 1


def test_url_import_from_local_server(client, reporter, web, allow_private):
    url = web.serve_fixture("/politik/merz.html", "article.html")
    client.force_login(reporter)
    response = client.post(IMPORT, {"url": url})
    assert response.status_code == 302
    assert Source.objects.get().url == url


def test_feed_import_lists_entries_that_failed(client, reporter, web, allow_private):
    web.serve_fixture("/politik/merz.html", "article.html")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Beispiel</title>'
        "<item><title>Merz in Kiew</title><link>/politik/merz.html</link></item>"
        "<item><title>Gelöschter Artikel</title><link>/geloescht.html</link></item></channel></rss>"
    )
    url = web.serve("/feed.xml", feed, content_type="application/rss+xml")
    client.force_login(reporter)
    response = client.post(IMPORT, {"url": url}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/admin/sources/source/"
    assert "1 Artikel neu archiviert." in html
    assert "Nicht importiert: Gelöschter Artikel – Der Server antwortete mit Status 404." in html


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({}, "Bitte genau eines angeben"),
        ({"text": "   \n  "}, "Bitte genau eines angeben"),
        ({"text": "Titel\n\nZu kurz.", "url": "https://example.org/"}, "Bitte genau eines angeben"),
        ({"text": "Titel\n\nZu kurz."}, "Der Text ist zu kurz für einen Artikel"),
        ({"url": "kein url"}, "gültige URL"),
        ({"file": ("leer.txt", b"")}, "Die übermittelte Datei ist leer."),
        ({"file": ("bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}, "Binärdaten"),
        ({"file": ("alt.txt", "Überschrift\n\nUmlaute: äöü".encode("latin-1"))}, "nicht UTF-8-kodiert"),
        ({"file": ("artikel.docx", b"PK\x03\x04")}, "Nur .txt- und .html-Dateien"),
        ({"file": ("start.html", None)}, "kein Artikeltext"),
        ({"file": ("junk.txt", b"x" * (10 * 1024 * 1024))}, "Die Datei ist zu groß"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(client, reporter, fixture_bytes, post, message):
    if "file" in post:
        name, content = post["file"]
        post = {"file": SimpleUploadedFile(name, fixture_bytes("no_article.html") if content is None else content)}
    client.force_login(reporter)
    response = client.post(IMPORT, post)
    assert response.status_code == 200
    assert message in errors(response)
    assert Source.objects.count() == 0


def test_url_into_the_internal_network_is_explained(client, reporter, web, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    client.force_login(reporter)
    response = client.post(IMPORT, {"url": web.serve_fixture("/a.html", "article.html")})
    assert response.status_code == 200
    assert "liegt in einem internen oder reservierten Netz" in errors(response)
    assert web.requests == []


def test_staff_without_add_permission_cannot_import(client):
    user = factories.UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"text": SEED.read_text(encoding="utf-8")}).status_code == 403
    assert Source.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_original_is_offered_as_sandboxed_download_with_its_hash(client, reporter, fixture_bytes):
    raw = fixture_bytes("article.html")
    client.force_login(reporter)
    client.post(IMPORT, {"file": SimpleUploadedFile("merz.html", raw)})
    source = Source.objects.get()
    page = client.get(f"/admin/sources/source/{source.pk}/change/").content.decode()
    original = f"/admin/sources/source/{source.pk}/original/"
    assert original in page
    assert source.raw_hash in page
    response = client.get(original)
    assert response.status_code == 200
    assert response.content == raw
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.html"'
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-SHA256"] == source.raw_hash


def test_original_needs_view_permission(client):
    source = factories.SourceFactory(raw=b"Titel\n\nText")
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(f"/admin/sources/source/{source.pk}/original/").status_code == 403
    assert client.get("/admin/sources/source/999999/original/").status_code == 403


def test_versions_link_to_each_other(client, reporter, fixture_bytes):
    client.force_login(reporter)
    client.post(IMPORT, {"file": SimpleUploadedFile("a.html", fixture_bytes("article.html"))})
    client.post(IMPORT, {"file": SimpleUploadedFile("a.html", fixture_bytes("article_updated.html"))})
    old, new = Source.objects.order_by("imported_at")
    old_page = client.get(f"/admin/sources/source/{old.pk}/change/").content.decode()
    new_page = client.get(f"/admin/sources/source/{new.pk}/change/").content.decode()
    assert f'Neuere Fassung: <a href="/admin/sources/source/{new.pk}/change/">' in old_page
    assert f'Vorherige Fassung: <a href="/admin/sources/source/{old.pk}/change/">' in new_page


def test_uploaded_text_with_a_nul_byte_deep_inside_is_explained_not_a_server_error(client, reporter):
    raw = SEED.read_bytes() + b"\n\n" + b"Fortsetzung " * 1000 + b"\x00 Ende."
    client.force_login(reporter)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("artikel.txt", raw)})
    assert response.status_code == 200
    assert "Binärdaten" in errors(response)
    assert Source.objects.count() == 0


def test_page_on_a_host_longer_than_an_outlet_domain_is_archived_without_a_server_error(client, reporter, fixture_bytes):
    host = ".".join(["nachrichten" * 5] * 4) + ".de"
    raw = fixture_bytes("article.html").replace(b"www.beispielzeitung.example", host.encode())
    client.force_login(reporter)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("merz.html", raw)})
    source = Source.objects.get()
    assert response.status_code == 302
    assert source.url == f"https://{host}/politik/merz-kiew-hilfe-100.html"


def test_article_dated_in_the_first_century_is_explained_and_the_source_list_stays_readable(client, reporter):
    text = SEED.read_text(encoding="utf-8").replace("Der Kreml hat am Mittwoch", "Stand: 01.01.0001\n\nDer Kreml hat am Mittwoch", 1)
    client.force_login(reporter)
    response = client.post(IMPORT, {"text": text})
    assert response.status_code == 200
    assert "Das Datum 01.01.0001 ist kein mögliches Erscheinungsdatum." in errors(response)
    assert Source.objects.count() == 0
    assert client.get("/admin/sources/source/").status_code == 200
