from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from claims.models import Appearance
from sources.ingest import IngestError, decode_html, import_source, parse_html
from sources.models import Outlet, Source, raw_hash
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")
CANONICAL = "https://www.beispielzeitung.example/politik/merz-kiew-hilfe-100.html"


def test_main_text_and_metadata_are_extracted(fixture_bytes):
    article = parse_html(decode_html(fixture_bytes("article.html")))
    assert article.title == "Merz sagt Kiew weitere Hilfe zu"
    assert article.author == "Erika Mustermann"
    assert article.published_at == datetime(2025, 9, 5, 16, 33, tzinfo=BERLIN)
    assert article.site_name == "Beispielzeitung"
    assert article.url == CANONICAL
    assert article.agency == "dpa"
    assert article.language == "de"
    assert article.teaser == "Bei seinem Besuch in Kiew hat der Bundeskanzler weitere Unterstützung zugesagt."
    assert "„Deutschland wird die Ukraine so lange unterstützen, wie es nötig ist.“" in article.body
    assert article.body.endswith("ließ der Kanzler offen.")


def test_navigation_comments_and_footer_are_not_article_text(fixture_bytes):
    body = parse_html(decode_html(fixture_bytes("article.html"))).body
    for furniture in ("Startseite", "Cookies", "Mehr zum Thema", "Leser123", "Impressum", "© Beispielzeitung"):
        assert furniture not in body
    assert not body.startswith("Merz sagt Kiew weitere Hilfe zu")


def test_declared_legacy_encoding_is_honoured(fixture_bytes):
    raw = fixture_bytes("article_cp1252.html")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = parse_html(decode_html(raw))
    assert article.title == "Bürgermeister räumt Fehler bei Straßensanierung ein"
    assert "„Wir müssen wissen, wo das Geld geblieben ist“" in article.body


def test_http_charset_wins_over_missing_declaration():
    raw = "<html><body><p>Straße</p></body></html>".encode("iso-8859-1")
    assert "Straße" in decode_html(raw, charset="iso-8859-1")


@pytest.mark.parametrize(
    ("raw", "charset", "message"),
    [
        (b"", "", "leer"),
        ("<html><body><p>Straße ohne Angabe</p></body></html>".encode("iso-8859-1"), "", "nicht in der angegebenen Kodierung utf-8"),
        (b"<html><head><meta charset='klingonisch'></head></html>", "", "unbekannte Zeichenkodierung"),
        (b"<html>\x00\x01\x02\x00</html>", "", "Binärdaten"),
        (b"Nur Text, kein Markup.", "", "kein HTML"),
    ],
)
def test_undecodable_html_gets_clear_message(raw, charset, message):
    with pytest.raises(IngestError) as error:
        decode_html(raw, charset=charset)
    assert message in " ".join(error.value.messages)


def test_page_without_article_is_refused(fixture_bytes):
    with pytest.raises(IngestError, match="kein Artikeltext"):
        parse_html(decode_html(fixture_bytes("no_article.html")))


@pytest.mark.django_db
def test_uploaded_page_is_archived_with_raw_bytes_and_hashes(fixture_bytes):
    raw = fixture_bytes("article.html")
    report = import_source(data=raw, filename="merz.html", content_type="text/html")
    (source,) = report.created
    source.refresh_from_db()
    assert bytes(source.raw) == raw
    assert source.raw_hash == raw_hash(raw)
    assert source.raw_content_type == "text/html"
    assert source.url == CANONICAL
    assert source.author == "Erika Mustermann"
    assert source.agency == "dpa"
    assert source.outlet.name == "Beispielzeitung"
    assert source.outlet.domain == "beispielzeitung.example"


@pytest.mark.django_db
def test_outlet_is_recognised_by_domain_before_site_name(fixture_bytes):
    outlet = factories.OutletFactory(name="Die Beispielzeitung", domain="beispielzeitung.example")
    (source,) = import_source(data=fixture_bytes("article.html"), filename="merz.html").created
    assert source.outlet == outlet
    assert Outlet.objects.count() == 1


@pytest.mark.django_db
def test_outlet_is_recognised_by_site_name_without_url(fixture_bytes):
    outlet = factories.OutletFactory(name="stadtanzeiger", domain="stadtanzeiger.example")
    (source,) = import_source(data=fixture_bytes("article_cp1252.html"), filename="rathaus.htm").created
    assert source.outlet == outlet
    assert source.url == ""


@pytest.mark.django_db
def test_same_article_with_new_page_furniture_is_not_stored_again(fixture_bytes):
    first = import_source(data=fixture_bytes("article.html"), filename="a.html").results[0]
    again = import_source(data=fixture_bytes("article.html"), filename="a.html").results[0]
    refurnished = import_source(data=fixture_bytes("article_new_furniture.html"), filename="b.html").results[0]
    assert first.created and not again.created and not refurnished.created
    assert again.source.pk == refurnished.source.pk == first.source.pk
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_changed_article_becomes_new_version_and_quotes_stay_on_the_old_one(fixture_bytes):
    old = import_source(data=fixture_bytes("article.html"), filename="a.html").created[0]
    appearance = factories.AppearanceFactory(source=old, quote="so lange unterstützen, wie es nötig ist")
    new = import_source(data=fixture_bytes("article_updated.html"), filename="a.html").created[0]
    old.refresh_from_db()
    appearance.refresh_from_db()
    assert new.previous_version == old
    assert new.is_latest and not old.is_latest
    assert new.url == old.url == CANONICAL
    assert "Warschau" in new.body and "Warschau" not in old.body
    assert appearance.source == old
    assert old.body[appearance.start : appearance.end] == "so lange unterstützen, wie es nötig ist"
    assert Appearance.objects.filter(source=new).count() == 0


@pytest.mark.django_db
def test_archived_text_and_original_cannot_be_changed(fixture_bytes):
    source = import_source(data=fixture_bytes("article.html"), filename="a.html").created[0]
    source.title = "Neuer Titel"
    source.save()
    source.body = source.body + " Nachträglich ergänzt."
    with pytest.raises(ValidationError, match="nicht geändert"):
        source.save()
    source.refresh_from_db()
    source.raw = b"<html>anders</html>"
    with pytest.raises(ValidationError, match="nicht geändert"):
        source.save()
    source.refresh_from_db()
    assert source.title == "Neuer Titel"
    assert bytes(source.raw) == fixture_bytes("article.html")


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"body": "Ganz anderer Text."}, {"raw": b"<html>anders</html>"}])
def test_the_database_refuses_to_change_an_archived_text_also_past_save(fixture_bytes, change):
    source = import_source(data=fixture_bytes("article.html"), filename="a.html").created[0]
    body = source.body
    with pytest.raises(DatabaseError, match="können nicht geändert werden"), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(**change)
    # Other fields stay editable in bulk.
    assert Source.objects.filter(pk=source.pk).update(title="Neuer Titel", agency="dpa") == 1
    source.refresh_from_db()
    assert (source.title, source.body, bytes(source.raw)) == ("Neuer Titel", body, fixture_bytes("article.html"))
