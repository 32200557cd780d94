import gzip
import time

import pytest

from sources.ingest import FetchError, fetch
from sources.ingest.fetch import MAX_REDIRECTS, address_allowed

ARTICLE = "<html><body><article><p>Inhalt</p></article></body></html>"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.178.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1"]
    + ["::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "ff02::1", "::"],
)
def test_internal_addresses_are_refused_by_default(settings, address):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    assert not address_allowed(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2a00:1450:4001:80b::200e", "::ffff:93.184.215.14"])
def test_public_addresses_are_allowed(settings, address):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    assert address_allowed(address)


def test_loopback_server_is_refused_without_the_setting(web, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    url = web.serve("/artikel", ARTICLE)
    with pytest.raises(FetchError, match="internen oder reservierten Netz"):
        fetch(url)
    with pytest.raises(FetchError, match="internen oder reservierten Netz"):
        fetch(url.replace("127.0.0.1", "localhost"))
    assert web.requests == []


def test_loopback_server_is_fetched_when_allowed(web, allow_private):
    url = web.serve("/artikel", ARTICLE, content_type="text/html; charset=ISO-8859-1")
    fetched = fetch(url + "#absatz")
    assert fetched.data == ARTICLE.encode()
    assert fetched.url == url
    assert fetched.mime_type == "text/html"
    assert fetched.charset == "iso-8859-1"
    assert web.requests == ["/artikel"]


def test_redirects_are_followed_and_final_url_kept(web, allow_private):
    target = web.serve("/neu", ARTICLE)
    web.serve("/alt", status=301, headers={"Location": "/neu"})
    assert fetch(web.url("/alt")).url == target


def test_redirect_loop_stops_after_the_limit(web, allow_private):
    web.serve("/schleife", status=302, headers={"Location": "/schleife"})
    with pytest.raises(FetchError, match="Zu viele Weiterleitungen"):
        fetch(web.url("/schleife"))
    assert len(web.requests) == MAX_REDIRECTS + 1


def test_redirect_to_other_scheme_is_refused(web, allow_private):
    web.serve("/ftp", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="Nur http- und https-Adressen"):
        fetch(web.url("/ftp"))


def test_ipv4_mapped_loopback_literal_is_refused(web, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError, match="internen oder reservierten Netz"):
        fetch(f"http://[::ffff:7f00:1]:{web.server.server_address[1]}/")
    assert web.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/artikel.txt", "Nur http- und https-Adressen"),
        ("javascript:alert(1)", "Nur http- und https-Adressen"),
        ("http://", "Nur http- und https-Adressen"),
        ("https://nutzer:geheim@example.org/", "Zugangsdaten"),
        ("http://example.org:99999/", "ungültig"),
        ("https://example.org/" + "a" * 1000, "zu lang"),
    ],
)
def test_unusable_urls_are_refused_before_any_request(url, message):
    with pytest.raises(FetchError, match=message):
        fetch(url)


def test_error_status_is_reported(web, allow_private):
    with pytest.raises(FetchError, match="Status 404"):
        fetch(web.url("/gibt-es-nicht"))


def test_unsupported_content_type_is_refused(web, allow_private):
    url = web.serve("/bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, content_type="image/png")
    with pytest.raises(FetchError, match="image/png"):
        fetch(url)


def test_declared_size_over_the_limit_is_refused(web, allow_private):
    allow_private.SOURCE_FETCH_MAX_BYTES = 1000
    url = web.serve("/gross", "<p>" + "x" * 5000 + "</p>")
    with pytest.raises(FetchError, match="zu groß"):
        fetch(url)


def test_undeclared_size_over_the_limit_is_cut_off(web, allow_private):
    allow_private.SOURCE_FETCH_MAX_BYTES = 100_000
    # No Content-Length: the body is streamed until the connection closes.
    url = web.serve("/strom", "<p>" + "x" * 300_000 + "</p>", send_length=False, chunks=10)
    with pytest.raises(FetchError, match="zu groß"):
        fetch(url)


def test_compressed_body_is_limited_after_decompression(web, allow_private):
    allow_private.SOURCE_FETCH_MAX_BYTES = 100_000
    bomb = gzip.compress(b"<p>" + b"x" * 5_000_000 + b"</p>")
    assert len(bomb) < 100_000
    url = web.serve("/bombe", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="zu groß"):
        fetch(url)


def test_slow_server_times_out(web, allow_private):
    allow_private.SOURCE_FETCH_TIMEOUT = 0.5
    url = web.serve("/langsam", "<p>" + "x" * 1000 + "</p>", chunks=10, delay=0.2)
    started = time.monotonic()
    with pytest.raises(FetchError, match="Zeitüberschreitung"):
        fetch(url)
    assert time.monotonic() - started < 1.5


def test_unreachable_port_is_reported(allow_private):
    with pytest.raises(FetchError, match="nicht erreichbar"):
        fetch("http://127.0.0.1:9/")


def test_unknown_host_is_reported(allow_private):
    with pytest.raises(FetchError, match="nicht gefunden"):
        fetch("http://nicht-vorhanden.invalid/")
