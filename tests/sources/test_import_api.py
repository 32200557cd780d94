from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from claims.models import PartnerKey
from sources.models import Source
from tests import factories

pytestmark = pytest.mark.django_db

ENDPOINT = "/api/v1/sources/import/"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "articles" / "001_b5ae24c13234fdd3.txt"


@pytest.fixture
def api(reporter):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reporter)
    csrf = client.get("/admin/").cookies.get("csrftoken")
    client.credentials(HTTP_X_CSRFTOKEN=csrf.value if csrf else "")
    return client


def test_anonymous_and_staff_without_permission_are_refused():
    client = APIClient()
    response = client.post(ENDPOINT, {"text": SEED.read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    client.force_login(factories.UserFactory(is_staff=True))
    response = client.post(ENDPOINT, {"text": SEED.read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 403
    assert "Recht, Quellen anzulegen" in response.json()["detail"]
    assert Source.objects.count() == 0


def test_partner_key_cannot_import():
    _key, secret = PartnerKey.objects.create_key(name="Partnerredaktion")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    response = client.post(ENDPOINT, {"text": SEED.read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 403
    assert Source.objects.count() == 0


def test_session_without_csrf_token_is_refused(reporter):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reporter)
    response = client.post(ENDPOINT, {"text": SEED.read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_text_import_then_repeat_is_a_no_op(api):
    response = api.post(ENDPOINT, {"text": SEED.read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    (source,) = body["sources"]
    stored = Source.objects.get()
    assert body["created"] == 1 and body["existing"] == 0 and body["failures"] == []
    assert source["id"] == stored.pk
    assert source["created"] is True
    assert source["title"] == 'NATO-Soldaten in der Ukraine: Putin spricht von "gesetzmäßigen Zielen"'
    assert source["content_hash"] == stored.content_hash
    assert source["raw_hash"] == stored.raw_hash
    assert source["admin_url"] == f"/admin/sources/source/{stored.pk}/change/"
    again = api.post(ENDPOINT, {"text": SEED.read_text(encoding="utf-8")}, format="json")
    assert again.status_code == 200
    assert again.json()["sources"][0]["created"] is False
    assert again.json()["sources"][0]["id"] == stored.pk
    assert Source.objects.count() == 1


def test_file_upload(api, fixture_bytes):
    upload = SimpleUploadedFile("merz.html", fixture_bytes("article.html"), "text/html")
    response = api.post(ENDPOINT, {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["sources"][0]["outlet"] == "Beispielzeitung"


def test_url_and_new_version(api, web, allow_private):
    url = web.serve_fixture("/politik/merz.html", "article.html")
    first = api.post(ENDPOINT, {"url": url}, format="json").json()["sources"][0]
    web.serve_fixture("/politik/merz.html", "article_updated.html")
    response = api.post(ENDPOINT, {"url": url}, format="json")
    assert response.status_code == 201
    second = response.json()["sources"][0]
    assert second["previous_version"] == first["id"]
    assert second["is_latest"] is True
    assert Source.objects.get(pk=first["id"]).is_latest is False


def test_feed_reports_failed_entries(api, web, allow_private):
    web.serve_fixture("/politik/merz.html", "article.html")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Beispiel</title>'
        "<item><title>Merz in Kiew</title><link>/politik/merz.html</link></item>"
        "<item><title>Weg</title><link>/weg.html</link></item></channel></rss>"
    )
    url = web.serve("/feed.xml", feed, content_type="application/rss+xml")
    body = api.post(ENDPOINT, {"url": url}, format="json").json()
    assert body["created"] == 1
    assert body["failures"] == [{"entry": "Weg", "detail": "Der Server antwortete mit Status 404."}]


@pytest.mark.parametrize(
    ("payload", "fmt", "message"),
    [
        ({}, "json", "Bitte genau eines angeben"),
        ({"text": "Titel\n\nZu kurz.", "url": "https://example.org/a"}, "json", "Bitte genau eines angeben"),
        ({"text": "Titel\n\nZu kurz."}, "json", "zu kurz"),
        ({"url": "ftp://example.org/a"}, "json", "Nur http- und https-Adressen"),
        ({"url": "kein url"}, "json", "gültige URL"),
        ({"outlet": 999999, "text": "x"}, "json", "999999"),
        ({"file": ("leer.txt", b"")}, "multipart", "leer"),
        ({"file": ("bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}, "multipart", "Binärdaten"),
        ({"file": ("alt.txt", "Umlaute äöü".encode("latin-1"))}, "multipart", "UTF-8"),
        ({"file": ("junk.txt", b"x" * (10 * 1024 * 1024))}, "multipart", "zu groß"),
    ],
)
def test_bad_input_is_a_400_json_error_and_stores_nothing(api, payload, fmt, message):
    if "file" in payload:
        name, content = payload["file"]
        payload = {"file": SimpleUploadedFile(name, content)}
    response = api.post(ENDPOINT, payload, format=fmt)
    assert response.status_code == 400
    assert message in str(response.json())
    assert Source.objects.count() == 0


def test_private_address_is_a_400_without_the_setting(api, web, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    response = api.post(ENDPOINT, {"url": web.serve_fixture("/a.html", "article.html")}, format="json")
    assert response.status_code == 400
    assert "internen oder reservierten Netz" in response.json()["detail"]
    assert web.requests == []


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_oversized_request_body_is_a_413_json_error(api, fmt):
    response = api.post(ENDPOINT, {"text": "x" * (10 * 1024 * 1024)}, format=fmt)
    assert response.status_code == 413
    assert response.json() == {"detail": "Die Anfrage ist zu groß."}
    assert Source.objects.count() == 0


def test_get_is_not_allowed(api):
    assert api.get(ENDPOINT).status_code == 405
